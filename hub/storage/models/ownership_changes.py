"""Changes to who owns or rents a home (seed 001: 业主房屋转让、租客更换), as customer service
records and applies them; the 24-hour limit runs from `notified_at` to `applied_at`."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base
from hub.storage.types import EncryptedString, UTCDateTime, enum_type


class ChangeKind(StrEnum):
    SALE = "sale"  # 过户: the home's owners are replaced by a new one
    TENANT_IN = "tenant_in"  # 租客更换: a new tenant moves in
    TENANT_OUT = "tenant_out"  # a tenant moves out


class OwnershipChange(Base):
    __tablename__ = "ownership_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    kind: Mapped[ChangeKind] = mapped_column(enum_type(ChangeKind))
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when the company was told
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # sale: the new owner, an owner account or a verified registration confirmed on applying
    new_owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"))
    # tenant_in: who moves in; tenant_out: which household member moves out; both: on which day
    tenant_name: Mapped[str | None] = mapped_column(EncryptedString())
    tenant_phone: Mapped[str | None] = mapped_column(EncryptedString())
    member_id: Mapped[int | None] = mapped_column(ForeignKey("household_members.id"))
    moved_on: Mapped[date | None] = mapped_column()
    note: Mapped[str] = mapped_column(String(200), default="")
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
