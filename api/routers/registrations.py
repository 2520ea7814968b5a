"""Owners' registration: the public half (pick a home, apply, enter the SMS code) and customer
service's half (pending applications, confirm or reject)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import IdField, ObjectId
from hub.domain import Role
from hub.services import registrations
from hub.services.password_reset import CODE_TTL
from hub.services.registrations import HomeChoice, RegistrationOut
from hub.storage.models import RegistrationState, User

public_router = APIRouter(prefix="/auth/registration", tags=["auth"])
router = APIRouter(prefix="/registrations", tags=["registrations"])

Service = Annotated[User, Depends(require_role(Role.CUSTOMER_SERVICE, Role.ADMIN))]


class ApplicationBody(BaseModel):
    home_id: IdField = Field(description="from GET /auth/registration/homes")
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(max_length=32, description="a mainland mobile; becomes the username")
    password: str = Field(max_length=128)


class Applied(BaseModel):
    id: int = Field(description="the application, to verify with the SMS code")
    state: RegistrationState
    code_valid_minutes: int = int(CODE_TTL.total_seconds() // 60)


class VerifyBody(BaseModel):
    id: IdField
    code: str = Field(pattern=r"^\d{6}$", description="the 6 digits from the SMS")


class Verified(BaseModel):
    state: RegistrationState = RegistrationState.VERIFIED


class RejectBody(BaseModel):
    reason: str = Field(min_length=1, max_length=200, description="sent to the applicant by SMS")


@public_router.get("/homes")
def homes(session: SessionDep) -> list[HomeChoice]:
    """The estate's homes by building and code (never who lives there)."""
    return registrations.homes(session)


@public_router.post("", status_code=201)
def apply(body: ApplicationBody, session: SessionDep, context: ContextDep) -> Applied:
    """Apply for an owner account bound to a home; a code goes to the phone by SMS."""
    registration = registrations.apply(
        session,
        registrations.Application(
            home_id=body.home_id, name=body.name, phone=body.phone, password=body.password
        ),
        now=context.clock.now(),
        settings=context.settings,
    )
    return Applied(id=registration.id, state=registration.state)


@public_router.post("/verify")
def verify(body: VerifyBody, context: ContextDep) -> Verified:
    """Prove the phone with its code; any bad code is the same 422 (and counts as a try)."""
    # Its own transaction (not SessionDep): a wrong try is committed before the 422 goes out.
    registrations.verify(
        context.db.session,
        body.id,
        body.code,
        now=context.clock.now(),
        settings=context.settings,
    )
    return Verified()


@router.get("")
def pending(session: SessionDep, user: Service) -> list[RegistrationOut]:
    """Verified applications waiting for customer service, phones masked."""
    return registrations.pending(session)


@router.post("/{registration_id}/confirm")
def confirm(
    registration_id: ObjectId, session: SessionDep, context: ContextDep, user: Service
) -> RegistrationOut:
    """Open the owner account and bind it to the home; the applicant is told by SMS."""
    registration, _ = registrations.confirm(
        session, registration_id, by=user, now=context.clock.now()
    )
    return registrations.view(session, registration)


@router.post("/{registration_id}/reject")
def reject(
    registration_id: ObjectId,
    body: RejectBody,
    session: SessionDep,
    context: ContextDep,
    user: Service,
) -> RegistrationOut:
    """Refuse the application; the reason goes to the applicant by SMS."""
    registration = registrations.reject(
        session, registration_id, body.reason, by=user, now=context.clock.now()
    )
    return registrations.view(session, registration)
