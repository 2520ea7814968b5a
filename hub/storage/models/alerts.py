"""Control-room alerts, at most one active per dedup key (device + rule), and their history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.domain import AlertEventKind, AlertState, Severity
from hub.storage.base import Base
from hub.storage.models.site import Building, Device, Site
from hub.storage.models.users import User
from hub.storage.types import UTCDateTime, enum_type

_ACTIVE = "state IN ('active_unacknowledged', 'active_acknowledged')"


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        Index(
            "uq_alerts_active_dedup_key",
            "dedup_key",
            unique=True,
            sqlite_where=text(_ACTIVE),
            postgresql_where=text(_ACTIVE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    rule_id: Mapped[str] = mapped_column(String(128))
    dedup_key: Mapped[str] = mapped_column(String(255))
    severity: Mapped[Severity] = mapped_column(enum_type(Severity))
    title: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[AlertState] = mapped_column(enum_type(AlertState), index=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    occurrences: Mapped[int] = mapped_column(default=1)
    reading_id: Mapped[int | None] = mapped_column(ForeignKey("readings.id"))
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the rule
    flapping: Mapped[bool] = mapped_column(default=False)
    flap_count: Mapped[int] = mapped_column(default=0)  # raises folded into this alarm
    quiet_since: Mapped[datetime | None] = mapped_column(UTCDateTime())  # flapping, now clear
    suppressed_by_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), index=True)

    acknowledged_by: Mapped[User | None] = relationship(
        lazy="joined", foreign_keys=[acknowledged_by_id]
    )
    cleared_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[cleared_by_id])
    device: Mapped[Device | None] = relationship(lazy="joined")
    site: Mapped[Site] = relationship(lazy="joined")
    building: Mapped[Building | None] = relationship(  # the device's, for the list's filters
        secondary="devices",
        primaryjoin="Alert.device_id == Device.id",
        secondaryjoin="Device.building_id == Building.id",
        viewonly=True,
        lazy="joined",
    )


class AlertEvent(Base):
    """One step of an alarm's life, or a comment: who (None: the hub), when, with what note."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    kind: Mapped[AlertEventKind] = mapped_column(enum_type(AlertEventKind))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))

    by: Mapped[User | None] = relationship(lazy="joined")
