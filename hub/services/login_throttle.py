"""Login throttling: too many failures for one username, or from one client address, within a
window lock further logins (even with the right password) for a while.

Counts and locks live in the database, so every API process sees the same ones, and time comes
from the caller's clock. Unknown usernames are counted like real ones, so a lockout tells an
attacker nothing about which accounts exist.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update
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
            f"too many failed logins: try again in {math.ceil(wait / 60)} min", retry_after=wait
        )


def record_failure(
    session: Session, *, username: str, address: str, now: datetime, settings: Settings
) -> list[str]:
    """Count one failure; returns the scopes (account, address) it has just locked."""
    session.add(LoginFailure(at=now, username=_key(username), address=_key(address)))
    session.flush()
    since = now - timedelta(minutes=settings.login_window_minutes)
    until = now + timedelta(minutes=settings.login_lockout_minutes)
    scopes: tuple[tuple[str, str, ColumnElement[bool], int], ...] = (
        (
            ACCOUNT,
            _key(username),
            (LoginFailure.username == _key(username)) & LoginFailure.account_cleared.is_(False),
            settings.login_account_failures,
        ),
        (
            ADDRESS,
            _key(address),
            LoginFailure.address == _key(address),
            settings.login_address_failures,
        ),
    )
    locked = []
    for scope, key, counted, limit in scopes:
        count = session.scalar(select(func.count()).where(counted, LoginFailure.at > since))
        if (count or 0) >= limit:
            # Lockout and window are equally long, so these failures age out as it ends.
            session.add(LoginLock(scope=scope, key=key, until=until))
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
