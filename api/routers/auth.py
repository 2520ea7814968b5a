"""Log in (OAuth2 password flow), see yourself, change your password; admins create staff."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from api.deps import ContextDep, CurrentUser, SessionDep, require_role
from hub import security
from hub.domain import Role
from hub.services import audit, users
from hub.storage.models import User

router = APIRouter(prefix="/auth", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: Role
    must_change_password: bool


class Me(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    must_change_password: bool


class PasswordChange(BaseModel):
    current_password: str
    new_password: str


class StaffCreate(BaseModel):
    username: str
    full_name: str
    role: Role


class StaffCreated(BaseModel):
    id: int
    username: str
    role: Role
    initial_password: str


@router.post("/token")
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    context: ContextDep,
) -> Token:
    user = users.authenticate(session, username=form.username, password=form.password)
    now = context.clock.now()
    audit.record(session, at=now, user_id=user.id, action="login", target=f"user:{user.id}")
    token = security.issue_token(
        user_id=user.id,
        role=user.role.value,
        key=context.settings.secret("secret_key"),
        now=now,
        lifetime=timedelta(minutes=context.settings.token_minutes),
    )
    return Token(access_token=token, role=user.role, must_change_password=user.must_change_password)


@router.get("/me")
def me(user: CurrentUser) -> Me:
    """Any logged-in account may see itself (even before changing its initial password)."""
    return Me.model_validate(user, from_attributes=True)


@router.post("/password", status_code=204)
def change_password(
    body: PasswordChange, user: CurrentUser, session: SessionDep, context: ContextDep
) -> None:
    """Any logged-in account may change its own password."""
    users.change_password(session, user, current=body.current_password, new=body.new_password)
    audit.record(
        session,
        at=context.clock.now(),
        user_id=user.id,
        action="password",
        target=f"user:{user.id}",
    )


@router.post("/staff", status_code=201)
def create_staff(
    body: StaffCreate,
    session: SessionDep,
    context: ContextDep,
    admin: Annotated[User, Depends(require_role(Role.ADMIN))],
) -> StaffCreated:
    if body.role is Role.OWNER:
        from hub.errors import InvalidInput

        raise InvalidInput("owner accounts are created from the site file with their homes")
    user, initial = users.create_user(
        session,
        username=body.username,
        full_name=body.full_name,
        role=body.role,
        now=context.clock.now(),
    )
    audit.record(
        session,
        at=context.clock.now(),
        user_id=admin.id,
        action="create_user",
        target=f"user:{user.id}",
    )
    return StaffCreated(
        id=user.id, username=user.username, role=user.role, initial_password=initial
    )
