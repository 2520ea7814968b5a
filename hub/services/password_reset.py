"""Owners reset a forgotten password with a 6-digit code sent by SMS through the outbox.

`request` looks the same to the caller whatever the account: only an active owner with a phone,
within the rate limit, is sent a code, so nobody learns which accounts exist. Staff are reset by
an administrator instead. Codes are kept as an HMAC under the hub's secret key, live 10 minutes,
allow 5 wrong tries and work once. Every step is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub import crypto
from hub.domain import Role
from hub.errors import InvalidInput
from hub.services import audit, auth_sessions, outbox, users
from hub.settings import Settings
from hub.storage.models import (
    Building,
    CodeClosed,
    Home,
    HomeOwnership,
    Owner,
    PasswordResetCode,
    User,
)

CODE_TTL = timedelta(minutes=10)
MAX_WRONG_ATTEMPTS = 5
MIN_INTERVAL = timedelta(seconds=60)
DAILY_LIMIT = 5
SOURCE = "password-reset"
WRONG_CODE = "code: wrong or expired verification code"


@dataclass(frozen=True)
class Account:
    """An owner account a reset may go to: where its SMS is sent and which site sends it."""

    user: User
    phone: str
    site_id: int


def request(
    session: Session, *, username: str | None, phone: str | None, now: datetime, settings: Settings
) -> None:
    """Send a code if `username` or `phone` names an active owner with a phone; else nothing."""
    found = find_owner(session, username=username, phone=phone)
    if found is None:
        _audit(session, now, None, "password_reset_requested", "no active owner with a phone")
        return
    user = found.user
    limit = _rate_limit(session, user, now)
    if limit is not None:
        _audit(session, now, user, "password_reset_requested", f"rate limited: {limit}")
        return
    for earlier in _open_codes(session, user):
        _close(earlier, now, CodeClosed.REPLACED)
    code = new_code()
    session.add(
        PasswordResetCode(
            user_id=user.id,
            code_hash=code_hash(settings, user.id, code),
            created_at=now,
            expires_at=now + CODE_TTL,
            wrong_attempts=0,
        )
    )
    outbox.send_sms(
        session,
        site_id=found.site_id,
        recipient=user,
        phone=found.phone,
        title="密码重置验证码 Password reset code",
        text=sms_text(settings.sms_signature, code),
        source=SOURCE,
        now=now,
    )
    sent_to = f"code sent by SMS to {crypto.mask(found.phone)}"
    _audit(session, now, user, "password_reset_requested", sent_to)


def confirm(
    sessions: outbox.SessionFactory,
    *,
    username: str | None,
    phone: str | None,
    code: str,
    new_password: str,
    now: datetime,
    settings: Settings,
) -> User:
    """Set `new_password` if `code` is the account's live code; else `InvalidInput`, the same
    for every reason. A wrong try is committed before the error, so the limit holds."""
    with sessions() as session:
        user = _confirm(session, username, phone, code, new_password, now, settings)
    if user is None:
        raise InvalidInput(WRONG_CODE, code="wrong_reset_code")
    return user


def _confirm(
    session: Session,
    username: str | None,
    phone: str | None,
    code: str,
    new_password: str,
    now: datetime,
    settings: Settings,
) -> User | None:
    found = find_owner(session, username=username, phone=phone)
    if found is None:
        _audit(session, now, None, "password_reset_failed", "no active owner with a phone")
        return None
    user = found.user
    live = next(iter(_open_codes(session, user)), None)
    if live is None or live.expires_at <= now:
        reason = "no code requested or code used" if live is None else "code expired"
        _audit(session, now, user, "password_reset_failed", reason)
        return None
    if not hmac.compare_digest(live.code_hash, code_hash(settings, user.id, code)):
        live.wrong_attempts += 1
        if live.wrong_attempts >= MAX_WRONG_ATTEMPTS:
            _close(live, now, CodeClosed.TOO_MANY_ATTEMPTS)
        detail = f"wrong code, try {live.wrong_attempts} of {MAX_WRONG_ATTEMPTS}"
        _audit(session, now, user, "password_reset_failed", detail)
        return None
    users.set_new_password(session, user, new_password)  # raises: rolled back, code stays live
    _close(live, now, CodeClosed.USED)
    auth_sessions.revoke_all_sessions(session, user.id, now=now, reason="password_reset")
    _audit(session, now, user, "password_reset", "new password set with an SMS code")
    return user


def find_owner(session: Session, *, username: str | None, phone: str | None) -> Account | None:
    """The active owner account `username` or `phone` names; None for unknown or inactive
    accounts, staff, owners without a phone or home, and a phone two owners share."""
    if username is not None:
        owners = list(session.scalars(select(Owner).join(User).where(User.username == username)))
    elif phone is not None:
        owners = owners_with_phone(session, phone)
    else:
        return None
    if len(owners) != 1:
        return None
    owner = owners[0]
    user = session.get(User, owner.user_id, with_for_update=True)  # one request at a time
    site_id = session.scalar(
        select(Building.site_id)
        .join(Home, Home.building_id == Building.id)
        .join(HomeOwnership, HomeOwnership.home_id == Home.id)
        .where(HomeOwnership.owner_id == owner.id)
        .limit(1)
    )
    if user is None or user.role is not Role.OWNER or not user.active:
        return None
    if owner.phone is None or site_id is None:
        return None
    return Account(user=user, phone=owner.phone, site_id=site_id)


def owners_with_phone(session: Session, phone: str) -> list[Owner]:
    """Every owner profile whose phone is `phone` in any spelling (phones are encrypted, so
    each is compared in the clear)."""
    wanted = normalize_phone(phone)
    candidates = session.scalars(select(Owner).where(Owner.phone.is_not(None)))
    return [o for o in candidates if normalize_phone(o.phone or "") == wanted]


def normalize_phone(phone: str) -> str:
    """Digits only, without China's +86: "+86 138-1234-5678" -> "13812345678"."""
    digits = re.sub(r"\D", "", phone)
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


def new_code() -> str:
    """Six random digits, as an SMS verification code."""
    return f"{secrets.randbelow(10**6):06d}"


def code_hash(settings: Settings, user_id: int, code: str) -> str:
    """HMAC-SHA256 of the code for this account: useless without the key, bound to one user."""
    return keyed_hash(settings, f"password-reset:{user_id}", code)


def keyed_hash(settings: Settings, scope: str, code: str) -> str:
    """HMAC-SHA256 of `code` bound to `scope` (what it verifies), under the hub's secret key."""
    key = settings.secret("secret_key").encode()
    return hmac.new(key, f"{scope}:{code}".encode(), hashlib.sha256).hexdigest()


def sms_text(signature: str, code: str, purpose: str = "password reset") -> str:
    minutes = int(CODE_TTL.total_seconds() // 60)
    return (
        f"【{signature}】您的验证码是 {code}，{minutes}分钟内有效，请勿告诉他人。"
        f"Your {purpose} code is {code}, valid for {minutes} minutes."
    )


def _rate_limit(session: Session, user: User, now: datetime) -> str | None:
    """Which limit a new code would break, if any: one a minute, five a day."""

    def since(start: datetime) -> int:
        query = select(func.count(PasswordResetCode.id)).where(
            PasswordResetCode.user_id == user.id, PasswordResetCode.created_at > start
        )
        return session.scalar(query) or 0

    return throttle(since, now)


def throttle(since: Callable[[datetime], int], now: datetime) -> str | None:
    """Which limit one more code would break, given how many were sent `since` a moment."""
    if since(now - MIN_INTERVAL) > 0:
        return f"1 per {int(MIN_INTERVAL.total_seconds())} s"
    if since(now - timedelta(days=1)) >= DAILY_LIMIT:
        return f"{DAILY_LIMIT} per day"
    return None


def _open_codes(session: Session, user: User) -> list[PasswordResetCode]:
    """The account's codes not yet closed, newest first (normally one)."""
    query = (
        select(PasswordResetCode)
        .where(PasswordResetCode.user_id == user.id, PasswordResetCode.closed_at.is_(None))
        .order_by(PasswordResetCode.id.desc())
    )
    return list(session.scalars(query))


def _close(code: PasswordResetCode, now: datetime, reason: CodeClosed) -> None:
    code.closed_at = now
    code.closed_reason = reason


def _audit(session: Session, now: datetime, user: User | None, action: str, detail: str) -> None:
    """Anonymous callers: no user id; the account concerned (if any) is the target."""
    target = f"user:{user.id}" if user is not None else "user:unknown"
    audit.record(session, at=now, user_id=None, action=action, target=target, detail=detail)
