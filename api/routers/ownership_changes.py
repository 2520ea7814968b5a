"""Sales and tenant changes of a home, recorded and applied by customer service within 24 h."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import IdField, ObjectId
from hub.domain import Role
from hub.services import households, ownership_changes
from hub.services.ownership_changes import ChangeIn, ChangeOut
from hub.storage.models import ChangeKind, User

router = APIRouter(tags=["households"])

Service = Annotated[User, Depends(require_role(Role.CUSTOMER_SERVICE))]
Reader = Annotated[User, Depends(require_role(Role.CUSTOMER_SERVICE, Role.ADMIN))]


class ChangeBody(BaseModel):
    kind: ChangeKind
    notified_at: AwareDatetime | None = Field(
        default=None, description="when the company was told; default now"
    )
    new_owner_username: str | None = Field(default=None, max_length=64, description="sale")
    registration_id: IdField | None = Field(default=None, description="sale: a verified applicant")
    tenant_name: str | None = Field(default=None, max_length=100, description="tenant_in")
    tenant_phone: str | None = Field(default=None, max_length=20, description="tenant_in")
    member_id: IdField | None = Field(default=None, description="tenant_out: the tenant")
    moved_on: date | None = Field(default=None, description="tenant_in/out: the day")
    note: str = Field(default="", max_length=200)

    def as_input(self) -> ChangeIn:
        return ChangeIn(**self.model_dump())


@router.get("/ownership-changes")
def list_changes(
    session: SessionDep,
    context: ContextDep,
    user: Reader,
    open_only: Annotated[bool, Query(alias="open")] = True,
) -> list[ChangeOut]:
    """Changes by deadline; by default only those not yet applied."""
    return ownership_changes.changes(session, open_only=open_only, now=context.clock.now())


@router.post("/homes/{home_id}/ownership-changes", status_code=201)
def record_change(
    home_id: ObjectId, body: ChangeBody, session: SessionDep, context: ContextDep, user: Service
) -> ChangeOut:
    """Record a sale or tenant change the company was told of."""
    now = context.clock.now()
    home = households.home_or_raise(session, home_id, user)
    change = ownership_changes.record(session, home, body.as_input(), by=user, now=now)
    return ownership_changes.view(session, change, now=now)


@router.post("/ownership-changes/{change_id}/apply")
def apply_change(
    change_id: ObjectId, session: SessionDep, context: ContextDep, user: Service
) -> ChangeOut:
    """Make the change now; the answer says whether the 24-hour limit was met."""
    now = context.clock.now()
    change = ownership_changes.apply(session, change_id, by=user, now=now)
    return ownership_changes.view(session, change, now=now)
