"""A home's household (住户档案): owners edit their own homes', customer service anyone's, admins
read it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import ObjectId
from hub.domain import MemberKind, Role
from hub.services import households
from hub.services.households import HouseholdOut, MemberIn, MemberOut, VehicleOut
from hub.storage.models import User

router = APIRouter(prefix="/homes/{home_id}/household", tags=["households"])

Reader = Annotated[User, Depends(require_role(Role.OWNER, Role.CUSTOMER_SERVICE, Role.ADMIN))]
Editor = Annotated[User, Depends(require_role(*households.EDITORS))]


class MemberBody(BaseModel):
    kind: MemberKind
    name: str = Field(min_length=1, max_length=100)
    relation: str = Field(default="", max_length=32, description="e.g. 配偶 spouse, 父亲 father")
    phone: str | None = Field(default=None, max_length=20, description="needed for a contact")
    moved_in_on: date | None = Field(default=None, description="needed for a tenant")
    moved_out_on: date | None = None

    def as_input(self) -> MemberIn:
        return MemberIn(**self.model_dump())


class VehicleBody(BaseModel):
    plate: str = Field(min_length=7, max_length=12, description="e.g. 沪A12345, 粤B D12345")
    parking_space: str = Field(default="", max_length=32, description="e.g. B1-023")


@router.get("")
def get_household(
    home_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader
) -> HouseholdOut:
    """Owners, family, tenants, emergency contacts and vehicles of the home."""
    home = households.home_or_raise(session, home_id, user)
    return households.household(session, home, user, now=context.clock.now())


@router.post("/members", status_code=201)
def add_member(
    home_id: ObjectId, body: MemberBody, session: SessionDep, context: ContextDep, user: Editor
) -> MemberOut:
    now = context.clock.now()
    home = households.home_or_raise(session, home_id, user)
    member = households.add_member(session, home, body.as_input(), by=user, now=now)
    return households.member_view(session, home, member, user, now=now)


@router.put("/members/{member_id}")
def update_member(
    home_id: ObjectId,
    member_id: ObjectId,
    body: MemberBody,
    session: SessionDep,
    context: ContextDep,
    user: Editor,
) -> MemberOut:
    """Replace a member's record, e.g. a tenant's move-out date."""
    now = context.clock.now()
    home = households.home_or_raise(session, home_id, user)
    member = households.update_member(session, home, member_id, body.as_input(), by=user, now=now)
    return households.member_view(session, home, member, user, now=now)


@router.delete("/members/{member_id}", status_code=204)
def remove_member(
    home_id: ObjectId, member_id: ObjectId, session: SessionDep, context: ContextDep, user: Editor
) -> None:
    home = households.home_or_raise(session, home_id, user)
    households.remove_member(session, home, member_id, by=user, now=context.clock.now())


@router.post("/vehicles", status_code=201)
def add_vehicle(
    home_id: ObjectId, body: VehicleBody, session: SessionDep, context: ContextDep, user: Editor
) -> VehicleOut:
    home = households.home_or_raise(session, home_id, user)
    vehicle = households.add_vehicle(
        session,
        home,
        plate=body.plate,
        parking_space=body.parking_space,
        by=user,
        now=context.clock.now(),
    )
    return VehicleOut(id=vehicle.id, plate=vehicle.plate, parking_space=vehicle.parking_space)


@router.delete("/vehicles/{vehicle_id}", status_code=204)
def remove_vehicle(
    home_id: ObjectId, vehicle_id: ObjectId, session: SessionDep, context: ContextDep, user: Editor
) -> None:
    home = households.home_or_raise(session, home_id, user)
    households.remove_vehicle(session, home, vehicle_id, by=user, now=context.clock.now())
