"""Owners' applications for an account bound to a home: verified by an SMS code, then confirmed
or rejected by customer service.

The applicant's name and phone are owner data, encrypted at rest; `phone_key` (a keyed hash of
the normalized phone) lets the throttle and the duplicate check find a phone without decrypting
every row. Only the password's argon2 hash and the code's HMAC are kept.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base
from hub.storage.types import EncryptedString, UTCDateTime, enum_type


class RegistrationState(StrEnum):
    AWAITING_CODE = "awaiting_code"  # code sent, not yet entered
    VERIFIED = "verified"  # phone proven, waiting for customer service
    CONFIRMED = "confirmed"  # account opened and bound to the home
    REJECTED = "rejected"  # customer service refused, with a reason
    CLOSED = "closed"  # too many wrong codes, or replaced by a newer application


class Registration(Base):
    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    name: Mapped[str] = mapped_column(EncryptedString())
    phone: Mapped[str] = mapped_column(EncryptedString())
    phone_key: Mapped[str] = mapped_column(String(64), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    state: Mapped[RegistrationState] = mapped_column(enum_type(RegistrationState))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    code_hash: Mapped[str] = mapped_column(String(64))
    code_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    wrong_attempts: Mapped[int] = mapped_column(default=0)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")  # why it was rejected
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # once confirmed
