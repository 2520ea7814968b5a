"""Accounts for staff and owners; one role each (least privilege)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain import Role
from hub.storage.base import Base
from hub.storage.types import UTCDateTime, enum_type


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(String(8), default="zh-CN")  # the web app's, per user
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PasswordHistory(Base):
    """Hashes of an account's recent passwords, newest (highest id) first being the current
    one, so a change cannot go back to any of them. `printed` marks a password someone other
    than the account's holder saw (the initial one, an admin's reset): those are kept longer."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    printed: Mapped[bool] = mapped_column(default=False)
