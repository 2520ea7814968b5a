"""The equipment ledger (设施台账): assets, their documents and the history of every edit."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.domain import AssetClass, AssetDocumentKind, AssetStatus
from hub.storage.base import Base
from hub.storage.models.site import Building
from hub.storage.types import UTCDateTime, enum_type


class Asset(Base):
    """A piece of equipment the estate maintains; devices that report on it point to it."""

    __tablename__ = "assets"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    asset_class: Mapped[AssetClass] = mapped_column(enum_type(AssetClass), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))
    location: Mapped[str] = mapped_column(String(200), default="")
    vendor: Mapped[str] = mapped_column(String(200), default="")
    model: Mapped[str] = mapped_column(String(200), default="")
    serial: Mapped[str] = mapped_column(String(200), default="")
    install_date: Mapped[date | None] = mapped_column(Date)
    warranty_end: Mapped[date | None] = mapped_column(Date)
    contractor: Mapped[str] = mapped_column(String(200), default="")  # maintenance contractor
    status: Mapped[AssetStatus] = mapped_column(enum_type(AssetStatus), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    building: Mapped[Building | None] = relationship(lazy="joined")


class AssetDocument(Base):
    """A manual, certificate or warranty of an asset: a checked PDF, PNG or JPEG kept in the
    database (as site plans are), so backups and every API process have it."""

    __tablename__ = "asset_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"), index=True)
    kind: Mapped[AssetDocumentKind] = mapped_column(enum_type(AssetDocumentKind))
    title: Mapped[str] = mapped_column(String(200))
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # not loaded by lists
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AssetChange(Base):
    """One field of an asset changed by one edit: who, when, from what to what (as text)."""

    __tablename__ = "asset_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the site file
    field: Mapped[str] = mapped_column(String(64))
    old: Mapped[str] = mapped_column(Text, default="")
    new: Mapped[str] = mapped_column(Text, default="")
