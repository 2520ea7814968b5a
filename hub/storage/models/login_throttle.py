"""Failed logins and the lockouts they caused, in the database so every process agrees."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base
from hub.storage.types import UTCDateTime


class LoginFailure(Base):
    """One failed login, counted against its username and its address until cleared for each:
    by a lock of that scope, or for the account by a later success (the address keeps it)."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username_at", "username", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    account_cleared: Mapped[bool] = mapped_column(default=False)
    address_cleared: Mapped[bool] = mapped_column(default=False)


class LoginLock(Base):
    """Logins for `key` (a username or a client address, per `scope`) refused until `until`."""

    __tablename__ = "login_locks"
    __table_args__ = (Index("ix_login_locks_scope_key_until", "scope", "key", "until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    until: Mapped[datetime] = mapped_column(UTCDateTime())
