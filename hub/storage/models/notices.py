"""Notices (通知公告) to the whole estate, chosen buildings or chosen homes, and who read them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base
from hub.storage.types import UTCDateTime


class Notice(Base):
    """A notice to a site; with `NoticeBuilding` or `NoticeHome` rows, to those only.

    An emergency notice is pinned and also pushed to each addressed owner's inbox and phone.
    Owners stop seeing it once it expires or is withdrawn; staff keep seeing it, marked.
    """

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    pinned: Mapped[bool] = mapped_column(default=False)
    emergency: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(String(200))
    # with buildings: only their homes in this 单元; empty: the whole buildings
    unit: Mapped[str] = mapped_column(String(32), default="", server_default="")


class NoticeBuilding(Base):
    """One building a notice is addressed to."""

    __tablename__ = "notice_buildings"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), primary_key=True)


class NoticeHome(Base):
    """One home a notice is addressed to (a list of homes, e.g. one riser's)."""

    __tablename__ = "notice_homes"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), primary_key=True)


class NoticeRead(Base):
    """An owner opened the notice (once per owner account)."""

    __tablename__ = "notice_reads"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())
