"""Accounts: created by administration with a generated password, changed at first login."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from hub import security
from hub.domain import Role
from hub.errors import Conflict, InvalidInput, PermissionDenied, TooManyRequests
from hub.services import audit, login_throttle
from hub.settings import Settings
from hub.storage.models import HomeOwnership, Owner, PasswordHistory, User

REMEMBERED_PASSWORDS = 4  # the current one and the 3 before it cannot be chosen again
REMEMBERED_PRINTED = 5  # nor the last 5 printed ones (initial, reset), however old


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    role: Role,
    now: datetime,
    password: str | None = None,
) -> tuple[User, str]:
    """Create an account; returns it with its initial password (generated unless given)."""
    initial = password or security.generate_password()
    security.check_password_policy(initial, user_inputs=(username, full_name))
    user = create_with_hash(
        session,
        username=username,
        full_name=full_name,
        role=role,
        password_hash=security.hash_password(initial),
        chosen=False,
        now=now,
    )
    return user, initial


def create_with_hash(
    session: Session,
    *,
    username: str,
    full_name: str,
    role: Role,
    password_hash: str,
    chosen: bool,
    now: datetime,
) -> User:
    """Create an account with a password already hashed: one its holder `chosen` (kept), or an
    initial one someone else saw (to be changed at first login)."""
    if username_taken(session, username):
        raise Conflict(f"username {username!r} is taken", code="username_taken")
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        password_hash=password_hash,
        must_change_password=not chosen,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    _remember(session, user, printed=not chosen)
    return user


def username_taken(session: Session, username: str) -> bool:
    return session.scalar(select(User.id).where(User.username == username)) is not None


def reset_password(session: Session, user: User) -> str:
    """A new generated password that must be changed at next login."""
    password = security.generate_password()
    user.password_hash = security.hash_password(password)
    user.must_change_password = True
    session.flush()
    _remember(session, user, printed=True)
    return password


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    address: str,
    now: datetime,
    settings: Settings,
) -> User:
    """The account these credentials open, checked with one hash whether it exists or not.

    Refused with TooManyRequests while the username or address is locked out, else with
    PermissionDenied; failures and lockouts are counted and audited, so the caller must commit
    even when this raises.
    """
    user = session.scalar(select(User).where(User.username == username))
    user_id = user.id if user is not None else None
    try:
        login_throttle.check(session, username=username, address=address, now=now)
    except TooManyRequests as exc:
        audit.record(
            session,
            at=now,
            user_id=user_id,
            action="login_locked",
            target=_target(user_id, username),
            detail=f"address {address}: {exc}",
        )
        raise
    usable = user if user is not None and user.active else None
    if not security.verify_password(usable.password_hash if usable else None, password):
        _failed(session, user_id, username=username, address=address, now=now, settings=settings)
        raise PermissionDenied("wrong username or password", code="wrong_credentials")
    assert usable is not None  # a match needs a real hash
    login_throttle.clear_account(session, username=username)
    return usable


def _failed(
    session: Session,
    user_id: int | None,
    *,
    username: str,
    address: str,
    now: datetime,
    settings: Settings,
) -> None:
    target = _target(user_id, username)
    audit.record(
        session,
        at=now,
        user_id=user_id,
        action="login_failed",
        target=target,
        detail=f"address {address}",
    )
    locked = login_throttle.record_failure(
        session, username=username, address=address, now=now, settings=settings
    )
    for scope in locked:
        audit.record(
            session,
            at=now,
            user_id=user_id,
            action="login_locked",
            target=target,
            detail=f"{scope} locked for {settings.login_lockout_minutes} min (address {address})",
        )


def _target(user_id: int | None, username: str) -> str:
    """The account, or for a username nobody has, the name tried."""
    return f"user:{user_id}" if user_id is not None else f"username:{username[:64]}"


def change_password(session: Session, user: User, *, current: str, new: str) -> None:
    """Set a new password, given the current one."""
    if not security.verify_password(user.password_hash, current):
        raise PermissionDenied("current password is wrong", code="wrong_current_password")
    set_new_password(session, user, new)


def set_new_password(session: Session, user: User, new: str) -> None:
    """Set a password the account chose: it must meet the policy and be none of the account's
    recent ones, nor a printed one (initial or reset) that someone else saw."""
    security.check_password_policy(new, user_inputs=(user.username, user.full_name))
    recent = {user.password_hash, *_recent(session, user)}
    if any(security.verify_password(old, new) for old in recent):
        raise InvalidInput(
            "password was used recently: choose one other than the current, the"
            f" {REMEMBERED_PASSWORDS - 1} before it and any initial or reset password given to you",
            code="password_reused",
        )
    user.password_hash = security.hash_password(new)
    user.must_change_password = False
    session.flush()
    _remember(session, user)


def _kept(user: User) -> tuple[Select[int], Select[int]]:
    """The history rows that still count: the latest passwords, and the latest printed ones."""
    mine = select(PasswordHistory.id).where(PasswordHistory.user_id == user.id)
    latest = mine.order_by(PasswordHistory.id.desc()).limit(REMEMBERED_PASSWORDS)
    printed = (
        mine.where(PasswordHistory.printed.is_(True))
        .order_by(PasswordHistory.id.desc())
        .limit(REMEMBERED_PRINTED)
    )
    return latest, printed


def _recent(session: Session, user: User) -> list[str]:
    latest, printed = _kept(user)
    ids = set(session.scalars(latest)) | set(session.scalars(printed))
    query = select(PasswordHistory.password_hash).where(PasswordHistory.id.in_(ids))
    return list(session.scalars(query))


def _remember(session: Session, user: User, *, printed: bool = False) -> None:
    """Keep the account's current hash in its history, forgetting the ones no longer kept."""
    entry = PasswordHistory(user_id=user.id, password_hash=user.password_hash, printed=printed)
    session.add(entry)
    session.flush()
    latest, printed_ones = _kept(user)
    kept = set(session.scalars(latest)) | set(session.scalars(printed_ones))
    session.execute(
        delete(PasswordHistory).where(
            PasswordHistory.user_id == user.id, PasswordHistory.id.not_in(kept)
        )
    )


def owner_home_ids(session: Session, user: User) -> set[int]:
    """The homes an owner account is bound to (empty for staff)."""
    if user.role is not Role.OWNER:
        return set()
    rows = session.scalars(
        select(HomeOwnership.home_id)
        .join(Owner, Owner.id == HomeOwnership.owner_id)
        .where(Owner.user_id == user.id)
    )
    return set(rows)


def list_staff(
    session: Session, *, role: Role | None = None, active: bool | None = True
) -> list[User]:
    """Staff accounts (never owners), by username: active ones unless `active` says otherwise
    (None: all), optionally of one role."""
    if role is Role.OWNER:
        raise InvalidInput("role: owners are not staff")
    query = select(User).where(User.role != Role.OWNER).order_by(User.username)
    if active is not None:
        query = query.where(User.active.is_(active))
    if role is not None:
        query = query.where(User.role == role)
    return list(session.scalars(query))
