"""An owner's forgotten password: ask for a code by SMS, then set a new password with it.

No login needed (the owner has lost it). The request answers 202 with one body for every
account, so it cannot be used to find out which usernames or phones exist.
"""

from __future__ import annotations

from typing import Self

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from api.deps import ContextDep, SessionDep
from hub.services import password_reset

router = APIRouter(prefix="/auth/password-reset", tags=["auth"])

SENT = (
    "如果该账号存在并登记了手机号，验证码已通过短信发送。"
    "If the account exists and has a phone on file, a code is on its way by SMS."
)


class ResetRequest(BaseModel):
    """An owner account by username or by phone, exactly one of the two."""

    username: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32)

    @model_validator(mode="after")
    def exactly_one(self) -> Self:
        if (self.username is None) == (self.phone is None):
            raise ValueError("give either username or phone")
        return self


class ResetRequested(BaseModel):
    detail: str = SENT
    code_valid_minutes: int = int(password_reset.CODE_TTL.total_seconds() // 60)


class ResetConfirm(ResetRequest):
    code: str = Field(pattern=r"^\d{6}$", description="the 6 digits from the SMS")
    new_password: str


class ResetDone(BaseModel):
    username: str  # an owner who gave a phone learns the username to log in with


@router.post("/request", status_code=202)
def request_code(body: ResetRequest, session: SessionDep, context: ContextDep) -> ResetRequested:
    """Always 202 and the same body; a code is sent only to an existing active owner's phone."""
    password_reset.request(
        session,
        username=body.username,
        phone=body.phone,
        now=context.clock.now(),
        settings=context.settings,
    )
    return ResetRequested()


@router.post("/confirm")
def confirm(body: ResetConfirm, context: ContextDep) -> ResetDone:
    """Set a new password with the code; any bad code is the same 422 (and counts as a try)."""
    # Its own transaction (not SessionDep): a wrong try is committed before the 422 goes out.
    user = password_reset.confirm(
        context.db.session,
        username=body.username,
        phone=body.phone,
        code=body.code,
        new_password=body.new_password,
        now=context.clock.now(),
        settings=context.settings,
    )
    return ResetDone(username=user.username)
