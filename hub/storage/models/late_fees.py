"""An estate's late fee terms (滞纳金), present only where its property service contract
provides one: no row, no late fee."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base
from hub.storage.types import UTCDateTime


class LateFeeTerms(Base):
    __tablename__ = "late_fee_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), unique=True)
    daily_rate: Mapped[Decimal] = mapped_column(Numeric(8, 6))  # of the principal, e.g. 0.0003
    grace_days: Mapped[int] = mapped_column()  # after the payment term, before it accrues
    cap_ratio: Mapped[Decimal] = mapped_column(Numeric(6, 4))  # of the principal; 1: never above it
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
