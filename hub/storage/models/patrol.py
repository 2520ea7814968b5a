"""Guard patrols (巡更): routes of ordered checkpoints, scheduled rounds and scans."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain import ScanSource
from hub.storage.base import Base
from hub.storage.types import UTCDateTime, enum_type


class PatrolRoute(Base):
    __tablename__ = "patrol_routes"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))


class RouteStop(Base):
    """Checkpoint `seq` of a route, due `offset_min` after the round starts, within `window_min`."""

    __tablename__ = "route_stops"
    __table_args__ = (UniqueConstraint("route_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("patrol_routes.id"))
    seq: Mapped[int] = mapped_column()
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    offset_min: Mapped[int] = mapped_column()
    window_min: Mapped[int] = mapped_column()


class PatrolRound(Base):
    """One walk of a route starting at `starts_at`, by a guard (or whoever scans first)."""

    __tablename__ = "patrol_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("patrol_routes.id"))
    guard_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PatrolStop(Base):
    """A checkpoint due in a round, with its window and what happened."""

    __tablename__ = "patrol_stops"
    __table_args__ = (UniqueConstraint("round_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("patrol_rounds.id"), index=True)
    seq: Mapped[int] = mapped_column()
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    due_from: Mapped[datetime] = mapped_column(UTCDateTime())
    due_until: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    missed_alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"))


class PatrolScan(Base):
    """Every scan, matched to a stop or not (a stray scan is still a record)."""

    __tablename__ = "patrol_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    stop_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_stops.id"))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    source: Mapped[ScanSource] = mapped_column(enum_type(ScanSource))
    guard_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    in_window: Mapped[bool] = mapped_column(default=False)
