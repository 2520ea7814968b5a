"""Accounts: created by administration with a generated password, changed at first login."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import security
from hub.domain import Role
from hub.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from hub.storage.models import HomeOwnership, Owner, User


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
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"username {username!r} is taken")
    initial = password or security.generate_password()
    security.check_password_policy(initial)
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        password_hash=security.hash_password(initial),
        must_change_password=True,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user, initial


def reset_password(session: Session, user: User) -> str:
    """A new generated password that must be changed at next login."""
    password = security.generate_password()
    user.password_hash = security.hash_password(password)
    user.must_change_password = True
    session.flush()
    return password


def authenticate(session: Session, *, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if (
        user is None
        or not user.active
        or not security.verify_password(user.password_hash, password)
    ):
        raise PermissionDenied("wrong username or password")
    return user


def change_password(session: Session, user: User, *, current: str, new: str) -> None:
    if not security.verify_password(user.password_hash, current):
        raise PermissionDenied("current password is wrong")
    if new == current:
        raise InvalidInput("the new password must differ from the current one")
    security.check_password_policy(new)
    user.password_hash = security.hash_password(new)
    user.must_change_password = False


def get_user_or_raise(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound(f"user {user_id} not found")
    return user


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
