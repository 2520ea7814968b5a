"""Readings that arrived after the bill of their period was issued: no bill uses them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base
from hub.storage.types import UTCDateTime


class LateReading(Base):
    """A meter reading late for a billed period, flagged when it arrived, for finance to settle."""

    __tablename__ = "late_readings"

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id"), unique=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime())
