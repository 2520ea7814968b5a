"""Verification codes for an owner's forgotten password: only a keyed hash is kept.

A code is live while it is open (`closed_at` unset) and unexpired; it closes when used, after too
many wrong attempts, or when a newer code replaces it. Rows stay as the record the rate limit
counts.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base
from hub.storage.types import UTCDateTime, enum_type


class CodeClosed(StrEnum):
    USED = "used"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    REPLACED = "replaced"


class PasswordResetCode(Base):
    __tablename__ = "password_reset_codes"
    __table_args__ = (Index("ix_password_reset_codes_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    code_hash: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 hex
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    wrong_attempts: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_reason: Mapped[CodeClosed | None] = mapped_column(enum_type(CodeClosed))
