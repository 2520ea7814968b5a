"""A home's household (住户档案): who lives there besides the owners, who to call, which cars.

Owners keep their own homes' households up to date; customer service records what owners tell
them at the desk or on the phone (seed 001: changes are made within 24 hours of being told).
Owners see their phone numbers in full; customer service sees them in full too, because calling
is their duty, and each such read is audited; admins see them masked. Tenants carry move-in and
move-out dates; one who has moved out stays on record, marked, until removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.crypto import mask
from hub.domain import MemberKind, Role
from hub.errors import Conflict, InvalidInput, NotFound
from hub.services import audit, read_audit
from hub.services.users import owner_home_ids
from hub.services.work_order_views import home_label
from hub.storage.models import Home, HomeOwnership, HouseholdMember, Owner, Site, User, Vehicle

_PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,18}[0-9]$")
# 省 abbreviation, issuing letter, then 5 (ordinary) or 6 (new energy) letters and digits
_PLATE = re.compile(
    r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][A-Z0-9]{5,6}$"
)
EDITORS = (Role.OWNER, Role.CUSTOMER_SERVICE)


class OwnerOut(BaseModel):
    name: str
    phone: str | None = Field(description="masked for admins")


class MemberOut(BaseModel):
    id: int
    kind: MemberKind
    name: str
    relation: str
    phone: str | None = Field(description="masked for admins")
    moved_in_on: date | None
    moved_out_on: date | None
    living_here: bool = Field(description="false for a tenant who has moved out")


class VehicleOut(BaseModel):
    id: int
    plate: str
    parking_space: str


class HouseholdOut(BaseModel):
    home_id: int
    home: str = Field(description="building/home, e.g. B1/101")
    owners: list[OwnerOut]
    members: list[MemberOut] = Field(description="family, then tenants, then emergency contacts")
    vehicles: list[VehicleOut]


@dataclass(frozen=True)
class MemberIn:
    kind: MemberKind
    name: str
    relation: str = ""
    phone: str | None = None
    moved_in_on: date | None = None
    moved_out_on: date | None = None


def home_or_raise(session: Session, home_id: int, user: User) -> Home:
    """The home, if `user` may see its household: an owner only their own (404 otherwise)."""
    home = session.get(Home, home_id)
    if home is None or (user.role is Role.OWNER and home_id not in owner_home_ids(session, user)):
        raise NotFound(f"home {home_id} not found")
    return home


def household(session: Session, home: Home, viewer: User, *, now: datetime) -> HouseholdOut:
    """The household as `viewer` may see it; a staff read is audited."""
    owners = session.scalars(
        select(Owner)
        .join(HomeOwnership, HomeOwnership.owner_id == Owner.id)
        .where(HomeOwnership.home_id == home.id)
        .order_by(Owner.id)
    )
    members = sorted(
        session.scalars(select(HouseholdMember).where(HouseholdMember.home_id == home.id)),
        key=lambda m: (list(MemberKind).index(m.kind), m.id),
    )
    vehicles = session.scalars(
        select(Vehicle).where(Vehicle.home_id == home.id).order_by(Vehicle.id)
    )
    if viewer.role is not Role.OWNER:
        read_audit.staff_read(session, viewer, at=now, target=f"household:{home.id}")
        if viewer.role is Role.CUSTOMER_SERVICE:
            read_audit.pii_read(
                session, viewer, at=now, target=f"household:{home.id}", field="phone"
            )
    today = _local_today(session, home, now)
    return HouseholdOut(
        home_id=home.id,
        home=home_label(home),
        owners=[OwnerOut(name=o.name, phone=_phone_for(viewer, o.phone)) for o in owners],
        members=[_member_view(m, viewer, today) for m in members],
        vehicles=[
            VehicleOut(id=v.id, plate=v.plate, parking_space=v.parking_space) for v in vehicles
        ],
    )


def add_member(
    session: Session, home: Home, data: MemberIn, *, by: User, now: datetime
) -> HouseholdMember:
    member = HouseholdMember(home_id=home.id, updated_at=now, updated_by_id=by.id)
    _fill(member, data)
    session.add(member)
    session.flush()
    _record(session, by, now, "household_add", home, f"member:{member.id} {member.kind.value}")
    return member


def update_member(
    session: Session, home: Home, member_id: int, data: MemberIn, *, by: User, now: datetime
) -> HouseholdMember:
    member = _member_or_raise(session, home, member_id)
    _fill(member, data)
    member.updated_at, member.updated_by_id = now, by.id
    session.flush()
    _record(session, by, now, "household_update", home, f"member:{member.id} {member.kind.value}")
    return member


def remove_member(session: Session, home: Home, member_id: int, *, by: User, now: datetime) -> None:
    member = _member_or_raise(session, home, member_id)
    session.delete(member)
    session.flush()
    _record(session, by, now, "household_remove", home, f"member:{member_id}")


def add_vehicle(
    session: Session, home: Home, *, plate: str, parking_space: str, by: User, now: datetime
) -> Vehicle:
    plate = plate.strip().upper().replace(" ", "").replace("·", "")
    if not _PLATE.match(plate):
        raise InvalidInput(f"plate: {plate!r} is not a mainland plate", code="household_plate")
    taken = session.scalars(
        select(Vehicle.id).where(Vehicle.home_id == home.id, Vehicle.plate == plate)
    ).first()
    if taken is not None:
        raise Conflict(f"plate {plate} is already on this home", code="household_plate_taken")
    vehicle = Vehicle(
        home_id=home.id,
        plate=plate,
        parking_space=parking_space.strip()[:32],
        updated_at=now,
        updated_by_id=by.id,
    )
    session.add(vehicle)
    session.flush()
    _record(session, by, now, "household_add", home, f"vehicle:{vehicle.id} {plate}")
    return vehicle


def remove_vehicle(
    session: Session, home: Home, vehicle_id: int, *, by: User, now: datetime
) -> None:
    vehicle = session.get(Vehicle, vehicle_id)
    if vehicle is None or vehicle.home_id != home.id:
        raise NotFound(f"vehicle {vehicle_id} not found")
    session.delete(vehicle)
    session.flush()
    _record(session, by, now, "household_remove", home, f"vehicle:{vehicle_id} {vehicle.plate}")


def member_view(
    session: Session, home: Home, member: HouseholdMember, viewer: User, *, now: datetime
) -> MemberOut:
    return _member_view(member, viewer, _local_today(session, home, now))


def _local_today(session: Session, home: Home, now: datetime) -> date:
    """The estate's calendar day: a tenant moves out on a local date, not a UTC one."""
    site = session.get(Site, home.building.site_id)
    return now.astimezone(ZoneInfo(site.timezone)).date() if site else now.date()


def _member_view(member: HouseholdMember, viewer: User, today: date) -> MemberOut:
    return MemberOut(
        id=member.id,
        kind=member.kind,
        name=member.name,
        relation=member.relation,
        phone=_phone_for(viewer, member.phone),
        moved_in_on=member.moved_in_on,
        moved_out_on=member.moved_out_on,
        living_here=member.moved_out_on is None or member.moved_out_on > today,
    )


def _phone_for(viewer: User, phone: str | None) -> str | None:
    """In full for the home's owner and customer service, masked for admins."""
    return mask(phone) if phone and viewer.role not in EDITORS else phone


def _fill(member: HouseholdMember, data: MemberIn) -> None:
    name, phone = data.name.strip(), (data.phone or "").strip() or None
    if not name or len(name) > 100:
        raise InvalidInput("name: give a name of 1 to 100 characters")
    if phone is not None and not _PHONE.match(phone):
        raise InvalidInput(f"phone: {phone!r} is not a phone number", code="household_phone")
    if data.kind is MemberKind.EMERGENCY_CONTACT and phone is None:
        raise InvalidInput(
            "phone: an emergency contact needs a phone number", code="household_phone"
        )
    if data.kind is MemberKind.TENANT and data.moved_in_on is None:
        raise InvalidInput("moved_in_on: a tenant needs a move-in date", code="household_dates")
    if data.moved_out_on and data.moved_in_on and data.moved_out_on < data.moved_in_on:
        raise InvalidInput("moved_out_on: before the move-in date", code="household_dates")
    member.kind, member.name, member.relation, member.phone = (
        data.kind,
        name,
        data.relation.strip()[:32],
        phone,
    )
    member.moved_in_on, member.moved_out_on = data.moved_in_on, data.moved_out_on


def _member_or_raise(session: Session, home: Home, member_id: int) -> HouseholdMember:
    member = session.get(HouseholdMember, member_id)
    if member is None or member.home_id != home.id:
        raise NotFound(f"household member {member_id} not found")
    return member


def _record(
    session: Session, by: User, now: datetime, action: str, home: Home, detail: str
) -> None:
    audit.record(
        session, at=now, user_id=by.id, action=action, target=f"home:{home.id}", detail=detail
    )
