"""Staff accounts as administrators manage them: list, deactivate, reactivate, reset, re-role.

Every change is audited under the acting admin. Owners are not staff: their accounts come from
the site file with their homes, so no role change leads to or from `owner`. An admin cannot
lock themselves out (deactivate or demote themselves), and the last active admin stays one, so
the estate always has someone who can manage accounts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import Role
from hub.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from hub.services import audit, auth_sessions, users
from hub.storage.models import User


def staff_or_raise(session: Session, user_id: int) -> User:
    """A staff account, active or not; owners answer as not found here."""
    user = session.get(User, user_id)
    if user is None or user.role is Role.OWNER:
        raise NotFound(f"staff account {user_id} not found")
    return user


def deactivate(session: Session, user_id: int, *, admin: User, now: datetime) -> User:
    """Refuse this account every request from now on (its tokens stop working at once)."""
    user = staff_or_raise(session, user_id)
    if user.id == admin.id:
        raise PermissionDenied("an admin cannot deactivate themselves")
    if user.active:
        _keep_an_admin(session, user)
        user.active = False
        auth_sessions.revoke_all_sessions(session, user.id, now=now, reason="deactivated")
        _audit(session, admin, user, "deactivate_user", now)
    return user


def activate(session: Session, user_id: int, *, admin: User, now: datetime) -> User:
    """Let a deactivated account log in again."""
    user = staff_or_raise(session, user_id)
    if not user.active:
        user.active = True
        _audit(session, admin, user, "activate_user", now)
    return user


def reset_password(
    session: Session, user_id: int, *, admin: User, now: datetime
) -> tuple[User, str]:
    """A new generated password, shown once to the admin, to be changed at next login; the
    account's open sessions end."""
    user = staff_or_raise(session, user_id)
    password = users.reset_password(session, user)
    auth_sessions.revoke_all_sessions(session, user.id, now=now, reason="password_reset")
    _audit(session, admin, user, "reset_password", now)
    return user, password


def change_role(session: Session, user_id: int, role: Role, *, admin: User, now: datetime) -> User:
    """Move a staff account to another staff role."""
    if role is Role.OWNER:
        raise InvalidInput("role: a staff account cannot become an owner")
    user = staff_or_raise(session, user_id)
    if role is user.role:
        return user
    if user.id == admin.id:
        raise PermissionDenied("an admin cannot change their own role")
    if user.active:
        _keep_an_admin(session, user)
    before = user.role
    user.role = role
    _audit(session, admin, user, "change_role", now, f"{before.value} -> {role.value}")
    return user


def _keep_an_admin(session: Session, leaving: User) -> None:
    """Refuse to take away the last active admin. The active admins' rows are locked (on
    PostgreSQL) so two admins demoting each other at once cannot both succeed."""
    if leaving.role is not Role.ADMIN:
        return
    admins = select(User.id).where(User.role == Role.ADMIN, User.active.is_(True))
    locked = session.scalars(admins.with_for_update())
    if not [admin_id for admin_id in locked if admin_id != leaving.id]:
        raise Conflict("the last active admin must stay an active admin")


def _audit(
    session: Session, admin: User, user: User, action: str, now: datetime, detail: str = ""
) -> None:
    audit.record(
        session, at=now, user_id=admin.id, action=action, target=f"user:{user.id}", detail=detail
    )
