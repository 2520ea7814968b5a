"""Login throttling: too many failures for one username, or from one client address, within a
window lock further logins (even with the right password) for a while.

Counts and locks live in the database, so every API process sees the same ones, and time comes
from the caller's clock. Unknown usernames are counted like real ones, so a lockout tells an
attacker nothing about which accounts exist.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hub.errors import TooManyRequests
from hub.settings import Settings
from hub.storage.models import LoginFailure, LoginLock

ACCOUNT = "account"
ADDRESS = "address"


def check(session: Session, *, username: str, address: str, now: datetime) -> None:
    """TooManyRequests (with the seconds left) while the username or the address is locked."""
    until = session.scalar(
        select(func.max(LoginLock.until)).where(
            ((LoginLock.scope == ACCOUNT) & (LoginLock.key == _key(username)))
            | ((LoginLock.scope == ADDRESS) & (LoginLock.key == _key(address))),
            LoginLock.until > now,
        )
    )
    if until is not None:
        wait = math.ceil((until - now).total_seconds())
        raise TooManyRequests(
            f"too many failed logins: try again in {math.ceil(wait / 60)} min",
            retry_after=wait,
            code="login_locked",
        )


def record_failure(
    session: Session, *, username: str, address: str, now: datetime, settings: Settings
) -> list[str]:
    """Count one failure; returns the scopes (account, address) it has just locked."""
    session.add(LoginFailure(at=now, username=_key(username), address=_key(address)))
    session.flush()
    since = now - timedelta(minutes=settings.login_window_minutes)
    until = now + timedelta(minutes=settings.login_lockout_minutes)
    scopes = (
        (ACCOUNT, _key(username), LoginFailure.username, LoginFailure.account_cleared),
        (ADDRESS, _key(address), LoginFailure.address, LoginFailure.address_cleared),
    )
    limits = {ACCOUNT: settings.login_account_failures, ADDRESS: settings.login_address_failures}
    locked = []
    for scope, key, column, cleared in scopes:
        counted = (column == key) & cleared.is_(False) & (LoginFailure.at > since)
        if (session.scalar(select(func.count()).where(counted)) or 0) >= limits[scope]:
            session.add(LoginLock(scope=scope, key=key, until=until))
            # The lock punishes these failures; after it they start again from zero.
            session.execute(update(LoginFailure).where(counted).values({cleared: True}))
            locked.append(scope)
    return locked


def clear_account(session: Session, *, username: str) -> None:
    """A successful login forgets the account's failures (not its address's)."""
    session.execute(
        update(LoginFailure)
        .where(LoginFailure.username == _key(username))
        .values(account_cleared=True)
    )


def _key(value: str) -> str:
    return value[:64]
