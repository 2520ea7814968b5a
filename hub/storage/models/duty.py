"""The duty roster (值班表): which technician is on duty for which category and building, when."""

from __future__ import annotations

from datetime import time

from sqlalchemy import ForeignKey, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base


class DutyShift(Base):
    """A daily shift in the site's timezone; `ends` before `starts` runs past midnight."""

    __tablename__ = "duty_shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    category: Mapped[str] = mapped_column(String(64))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))  # None: all
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    weekdays: Mapped[str] = mapped_column(String(16), default="1234567")  # ISO: 1 = Monday
