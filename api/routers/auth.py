"""Log in (OAuth2 password flow), refresh and log out, see yourself, change your password;
admins create staff."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from api.deps import ContextDep, CurrentUser, SessionDep, TokenDep, require_role, token_claims
from hub.domain import Role
from hub.errors import HubError, InvalidInput
from hub.services import audit, auth_sessions, users
from hub.services.auth_sessions import Issued
from hub.storage.models import User

router = APIRouter(prefix="/auth", tags=["auth"])

Language = Literal["zh-CN", "en"]  # the web app's catalogues


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int  # seconds the access token lives; refresh before then
    refresh_token: str  # single use: each refresh answers with a new one
    role: Role
    must_change_password: bool

    @classmethod
    def of(cls, issued: Issued) -> Token:
        return cls(
            access_token=issued.access_token,
            expires_in=issued.expires_in,
            refresh_token=issued.refresh_token,
            role=issued.user.role,
            must_change_password=issued.user.must_change_password,
        )


class RefreshRequest(BaseModel):
    refresh_token: str


class Me(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    must_change_password: bool
    language: Language


class Preferences(BaseModel):
    language: Language


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
    request: Request,
    session: SessionDep,
    context: ContextDep,
) -> Token:
    """Throttled per username and per client address (429 with Retry-After when locked)."""
    now = context.clock.now()
    address = request.client.host if request.client else "unknown"
    try:
        user = users.authenticate(
            session,
            username=form.username,
            password=form.password,
            address=address,
            now=now,
            settings=context.settings,
        )
    except HubError:
        session.commit()  # the counted failure and its audit entry outlive the refusal
        raise
    audit.record(session, at=now, user_id=user.id, action="login", target=f"user:{user.id}")
    return Token.of(auth_sessions.start(session, user, now=now, settings=context.settings))


@router.post("/refresh")
def refresh(body: RefreshRequest, session: SessionDep, context: ContextDep) -> Token:
    """A new token pair for the current refresh token; an old one revokes its session."""
    try:
        issued = auth_sessions.refresh(
            session, body.refresh_token, now=context.clock.now(), settings=context.settings
        )
    except HubError:
        session.commit()  # a reused token's revocation stands
        raise
    return Token.of(issued)


@router.post("/logout", status_code=204)
def logout(user: CurrentUser, token: TokenDep, session: SessionDep, context: ContextDep) -> None:
    """End this login: its access and refresh tokens stop working."""
    now = context.clock.now()
    claims = token_claims(context, token)
    auth_sessions.revoke_session(
        session, claims.session_id, user_id=user.id, now=now, reason="logout"
    )
    audit.record(session, at=now, user_id=user.id, action="logout", target=f"user:{user.id}")


@router.get("/me")
def me(user: CurrentUser) -> Me:
    """Any logged-in account may see itself (even before changing its initial password)."""
    return Me.model_validate(user, from_attributes=True)


@router.patch("/me")
def set_preferences(body: Preferences, user: CurrentUser, session: SessionDep) -> Me:
    """The web app's language follows the account from one phone or desk to the next."""
    user.language = body.language
    session.commit()
    return Me.model_validate(user, from_attributes=True)


@router.post("/password", status_code=204)
def change_password(
    body: PasswordChange,
    user: CurrentUser,
    token: TokenDep,
    session: SessionDep,
    context: ContextDep,
) -> None:
    """Any logged-in account may change its own password; its other sessions end."""
    now = context.clock.now()
    users.change_password(session, user, current=body.current_password, new=body.new_password)
    auth_sessions.revoke_all_sessions(
        session,
        user.id,
        now=now,
        reason="password_changed",
        keep=token_claims(context, token).session_id,
    )
    audit.record(
        session,
        at=now,
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
