"""The estate as loaded from a site file: buildings, homes, owners, devices, meters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.domain import DeviceKind, HomeType, ShareBasis, Utility
from hub.storage.base import Base
from hub.storage.types import QUANTITY, EncryptedString, UTCDateTime, enum_type


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    # 估抄: estimate a meter's month from its average daily use when it sent no reading
    estimate_missing: Mapped[bool] = mapped_column(default=False)


class Building(Base):
    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))


class Home(Base):
    __tablename__ = "homes"
    __table_args__ = (UniqueConstraint("building_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"))
    code: Mapped[str] = mapped_column(String(64))
    # 单元: the stairwell/entrance a notice can be addressed to; empty: the building has none
    unit: Mapped[str] = mapped_column(String(32), default="", server_default="")
    area_m2: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    # What the property fee tariff is chosen by (hub/services/billing/property_fees.py)
    home_type: Mapped[HomeType] = mapped_column(
        enum_type(HomeType), default=HomeType.RESIDENTIAL, server_default=HomeType.RESIDENTIAL
    )
    floor: Mapped[int | None] = mapped_column()  # None: not known, no floor band applies
    # The days the estate bills it (交房/入住 to 迁出/售出), both inclusive; None: open
    billed_from: Mapped[date | None] = mapped_column()
    billed_until: Mapped[date | None] = mapped_column()

    building: Mapped[Building] = relationship(lazy="joined")


class Owner(Base):
    """An owner's profile; personal data is encrypted at rest and shown masked."""

    __tablename__ = "owners"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(EncryptedString())
    id_number: Mapped[str | None] = mapped_column(EncryptedString())


class HomeOwnership(Base):
    __tablename__ = "home_ownerships"
    __table_args__ = (UniqueConstraint("home_id", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"))


class Device(Base):
    """Anything that publishes: sensor, meter, gate, checkpoint reader, camera."""

    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[DeviceKind] = mapped_column(enum_type(DeviceKind))
    name: Mapped[str] = mapped_column(String(200))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id"))
    location: Mapped[str] = mapped_column(String(200), default="")
    heartbeat_s: Mapped[int] = mapped_column(Integer, default=300)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    online: Mapped[bool | None] = mapped_column(default=None)
    gateway_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    # Where its icon sits on a site plan: fractions of the plan's width and height (0..1)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("site_plans.id"), index=True)
    plan_x: Mapped[float | None] = mapped_column(Float)
    plan_y: Mapped[float | None] = mapped_column(Float)
    # The ledger's asset it reports on (a pump's controller, a gate's reader, a meter on it)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"), index=True)
    # Retired: no longer expected online (no offline alarms) and its messages are dead-lettered
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_reason: Mapped[str] = mapped_column(Text, default="", server_default="")


class SitePlan(Base):
    """An estate's site plan (no building) or one floor of a building: a checked PNG, JPEG or
    SVG image, kept in the database so backups and every API process have it."""

    __tablename__ = "site_plans"
    __table_args__ = (UniqueConstraint("site_id", "building_id", "floor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))
    floor: Mapped[str] = mapped_column(String(32), default="")  # "" for the site plan
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int | None] = mapped_column(Integer)  # pixels; an SVG's viewBox size
    height: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # not loaded by lists
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Meter(Base):
    """A utility meter of a home, or a common-area meter (公摊表: lifts, corridor lights, pumps;
    no home) whose month is shared among the homes of its device's building, or of the whole
    estate when the device has no building. Its cumulative register arrives as readings of
    `reading_key`."""

    __tablename__ = "meters"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), unique=True)
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id"))
    share_basis: Mapped[ShareBasis | None] = mapped_column(enum_type(ShareBasis))  # common only
    utility: Mapped[Utility] = mapped_column(enum_type(Utility))
    reading_key: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(16))
    # The register's highest value (e.g. 99999.9): a drop to a low value is a wrap past it.
    register_max: Mapped[Decimal | None] = mapped_column(QUANTITY)
    # A multi-register meter's time-of-use registers (分时), "peak=energy_peak_kwh,valley=...":
    # a time-of-use tariff bills each band from its own register
    registers: Mapped[str | None] = mapped_column(String(300))

    device: Mapped[Device] = relationship(lazy="joined")


class Checkpoint(Base):
    """A patrol checkpoint: a QR/NFC tag with a code, optionally watched by a fixed reader."""

    __tablename__ = "checkpoints"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    reader_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
