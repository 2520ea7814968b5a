"""A device replaced by another: when, by whom, and for a meter both registers at the swap."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base
from hub.storage.types import QUANTITY, UTCDateTime


class DeviceSwap(Base):
    """The old device's final and the new one's initial register, kept with the readings they
    were stored as, so billing can bridge the swap (a meter's count restarts near zero)."""

    __tablename__ = "device_swaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    old_device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    new_device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    metric: Mapped[str | None] = mapped_column(String(64))  # a meter's reading key
    final_value: Mapped[Decimal | None] = mapped_column(QUANTITY)
    initial_value: Mapped[Decimal | None] = mapped_column(QUANTITY)
    final_reading_id: Mapped[int | None]  # readings have no foreign keys (see Reading)
    initial_reading_id: Mapped[int | None]
