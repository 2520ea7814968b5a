"""Staff accounts for administrators: list, deactivate, reactivate, reset password, change role."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from api.deps import ContextDep, SessionDep, require_role
from api.params import ObjectId
from hub.domain import Role
from hub.services import accounts, users
from hub.storage.models import User

router = APIRouter(prefix="/accounts", tags=["accounts"])
AdminDep = Annotated[User, Depends(require_role(Role.ADMIN))]


class AccountPublic(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    active: bool
    must_change_password: bool
    created_at: datetime


class RoleChange(BaseModel):
    role: Role


class PasswordReset(BaseModel):
    id: int
    username: str
    initial_password: str


def _public(user: User) -> AccountPublic:
    return AccountPublic.model_validate(user, from_attributes=True)


@router.get("")
def list_accounts(
    session: SessionDep, _: AdminDep, role: Role | None = None, active: bool | None = None
) -> list[AccountPublic]:
    """Staff accounts, inactive ones included unless `active` filters them."""
    return [_public(user) for user in users.list_staff(session, role=role, active=active)]


@router.post("/{user_id}/deactivate")
def deactivate(
    user_id: ObjectId, session: SessionDep, context: ContextDep, admin: AdminDep
) -> AccountPublic:
    return _public(accounts.deactivate(session, user_id, admin=admin, now=context.clock.now()))


@router.post("/{user_id}/activate")
def activate(
    user_id: ObjectId, session: SessionDep, context: ContextDep, admin: AdminDep
) -> AccountPublic:
    return _public(accounts.activate(session, user_id, admin=admin, now=context.clock.now()))


@router.post("/{user_id}/reset-password")
def reset_password(
    user_id: ObjectId, session: SessionDep, context: ContextDep, admin: AdminDep
) -> PasswordReset:
    """The generated password is in this answer only; the account must change it at login."""
    user, password = accounts.reset_password(session, user_id, admin=admin, now=context.clock.now())
    return PasswordReset(id=user.id, username=user.username, initial_password=password)


@router.patch("/{user_id}")
def change_role(
    user_id: ObjectId, body: RoleChange, session: SessionDep, context: ContextDep, admin: AdminDep
) -> AccountPublic:
    user = accounts.change_role(session, user_id, body.role, admin=admin, now=context.clock.now())
    return _public(user)
