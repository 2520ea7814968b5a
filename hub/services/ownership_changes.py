"""A home changes hands or tenants (seed 001: 业主房屋转让、租客更换): customer service records
when the company was told, then applies the change within 24 hours.

A sale ends every current owner's tie to the home (they lose its data at once) and binds the new
owner: an existing owner account or a verified registration, opened on applying. A tenant moving
in becomes a household tenant; one moving out gets a move-out date. Each change shows whether the
24-hour limit from `notified_at` to `applied_at` was met, by the injected clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub.domain import MemberKind, Role
from hub.errors import InvalidInput, InvalidTransition, NotFound
from hub.services import audit, households, registrations
from hub.services.work_order_views import home_label
from hub.storage.models import (
    ChangeKind,
    Home,
    HomeOwnership,
    HouseholdMember,
    Owner,
    OwnershipChange,
    Registration,
    User,
)

LIMIT = timedelta(hours=24)


class LimitState(StrEnum):
    OPEN = "open"  # not applied, still within 24 h
    OVERDUE = "overdue"  # not applied, past 24 h
    MET = "met"  # applied within 24 h
    BREACHED = "breached"  # applied after 24 h


class ChangeOut(BaseModel):
    id: int
    home_id: int
    home: str = Field(description="building/home, e.g. B1/101")
    kind: ChangeKind
    notified_at: datetime
    deadline: datetime = Field(description="notified_at + 24 h")
    applied_at: datetime | None
    limit: LimitState
    new_owner: str | None = Field(description="a sale's new owner's name")
    tenant: str | None = Field(description="the tenant moving in or out")
    moved_on: date | None
    note: str


@dataclass(frozen=True)
class ChangeIn:
    kind: ChangeKind
    notified_at: datetime | None = None
    new_owner_username: str | None = None
    registration_id: int | None = None
    tenant_name: str | None = None
    tenant_phone: str | None = None
    member_id: int | None = None
    moved_on: date | None = None
    note: str = ""


def record(
    session: Session, home: Home, data: ChangeIn, *, by: User, now: datetime
) -> OwnershipChange:
    """Record a change the company was told of at `notified_at` (default now, never later)."""
    notified = data.notified_at or now
    if notified > now:
        raise InvalidInput("notified_at: in the future", code="change_notified_future")
    change = OwnershipChange(
        home_id=home.id,
        kind=data.kind,
        notified_at=notified,
        recorded_at=now,
        recorded_by_id=by.id,
        note=data.note.strip()[:200],
        moved_on=data.moved_on,
    )
    _fill(session, home, change, data)
    session.add(change)
    session.flush()
    _audit(session, by, now, "ownership_change_recorded", change, f"{change.kind.value}")
    return change


def apply(session: Session, change_id: int, *, by: User, now: datetime) -> OwnershipChange:
    """Make the recorded change in the home's owners or household, now."""
    change = session.get(OwnershipChange, change_id, with_for_update=True)
    if change is None:
        raise NotFound(f"ownership change {change_id} not found")
    if change.applied_at is not None:
        raise InvalidTransition(f"change {change_id} is already applied", code="change_applied")
    home = session.get_one(Home, change.home_id)
    if change.kind is ChangeKind.SALE:
        detail = _sell(session, home, change, by=by, now=now)
    elif change.kind is ChangeKind.TENANT_IN:
        member = households.add_member(session, home, _tenant(change), by=by, now=now)
        change.member_id, detail = member.id, f"member:{member.id} moved in"
    else:
        assert change.member_id is not None  # checked when recorded
        member = session.get_one(HouseholdMember, change.member_id)
        moving_out = _tenant(change, of=member)
        households.update_member(session, home, member.id, moving_out, by=by, now=now)
        detail = f"member:{member.id} moved out"
    change.applied_at, change.applied_by_id = now, by.id
    _audit(session, by, now, "ownership_change_applied", change, detail)
    return change


def changes(session: Session, *, open_only: bool, now: datetime) -> list[ChangeOut]:
    """Changes by deadline, soonest first; `open_only`: those not yet applied."""
    query = select(OwnershipChange).order_by(OwnershipChange.notified_at, OwnershipChange.id)
    if open_only:
        query = query.where(OwnershipChange.applied_at.is_(None))
    return [view(session, change, now=now) for change in session.scalars(query)]


def limit_state(change: OwnershipChange, now: datetime) -> LimitState:
    deadline = change.notified_at + LIMIT
    if change.applied_at is None:
        return LimitState.OPEN if now <= deadline else LimitState.OVERDUE
    return LimitState.MET if change.applied_at <= deadline else LimitState.BREACHED


def view(session: Session, change: OwnershipChange, *, now: datetime) -> ChangeOut:
    home = session.get_one(Home, change.home_id)
    return ChangeOut(
        id=change.id,
        home_id=home.id,
        home=home_label(home),
        kind=change.kind,
        notified_at=change.notified_at,
        deadline=change.notified_at + LIMIT,
        applied_at=change.applied_at,
        limit=limit_state(change, now),
        new_owner=_new_owner_name(session, change),
        tenant=change.tenant_name,
        moved_on=change.moved_on,
        note=change.note,
    )


def _fill(session: Session, home: Home, change: OwnershipChange, data: ChangeIn) -> None:
    """Check and copy what this kind of change needs."""
    if data.kind is ChangeKind.SALE:
        if (data.new_owner_username is None) == (data.registration_id is None):
            raise InvalidInput(
                "new owner: give an owner account or a registration", code="change_new_owner"
            )
        if data.registration_id is not None:
            registrations.verified_or_raise(session, data.registration_id)
            change.registration_id = data.registration_id
        else:
            change.new_owner_user_id = _owner_account(session, data.new_owner_username or "").id
        return
    if data.moved_on is None:
        raise InvalidInput("moved_on: give the day of the move", code="household_dates")
    if data.kind is ChangeKind.TENANT_IN:
        name = (data.tenant_name or "").strip()
        if not name:
            raise InvalidInput("tenant_name: who moves in", code="change_tenant")
        change.tenant_name, change.tenant_phone = name[:100], data.tenant_phone
        return
    member = session.get(HouseholdMember, data.member_id or 0)
    if member is None or member.home_id != home.id or member.kind is not MemberKind.TENANT:
        raise InvalidInput("member_id: not a tenant of this home", code="change_tenant")
    change.member_id, change.tenant_name = member.id, member.name


def _sell(session: Session, home: Home, change: OwnershipChange, *, by: User, now: datetime) -> str:
    """Unbind every current owner, bind the new one; returns what happened, for the audit."""
    if change.registration_id is not None:
        registration = registrations.verified_or_raise(session, change.registration_id)
        new_user = registrations.open_account(session, registration, by=by, now=now)
        change.new_owner_user_id = new_user.id
    assert change.new_owner_user_id is not None
    new_owner = session.scalars(
        select(Owner).where(Owner.user_id == change.new_owner_user_id)
    ).one()
    former = list(
        session.scalars(select(HomeOwnership.owner_id).where(HomeOwnership.home_id == home.id))
    )
    session.execute(delete(HomeOwnership).where(HomeOwnership.home_id == home.id))
    session.add(HomeOwnership(home_id=home.id, owner_id=new_owner.id))
    session.flush()
    return f"owners {former} -> {new_owner.id}"


def _tenant(change: OwnershipChange, *, of: HouseholdMember | None = None) -> households.MemberIn:
    """The household record of the tenant moving in, or of `of` moving out."""
    if of is None:
        return households.MemberIn(
            kind=MemberKind.TENANT,
            name=change.tenant_name or "",
            phone=change.tenant_phone,
            moved_in_on=change.moved_on,
        )
    return households.MemberIn(
        kind=of.kind,
        name=of.name,
        relation=of.relation,
        phone=of.phone,
        moved_in_on=of.moved_in_on,
        moved_out_on=change.moved_on,
    )


def _owner_account(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None or user.role is not Role.OWNER or not user.active:
        raise InvalidInput(f"new owner: no owner account {username!r}", code="change_new_owner")
    return user


def _new_owner_name(session: Session, change: OwnershipChange) -> str | None:
    if change.new_owner_user_id is not None:
        return session.get_one(User, change.new_owner_user_id).full_name
    if change.registration_id is not None:
        return session.get_one(Registration, change.registration_id).name
    return None


def _audit(
    session: Session, by: User, now: datetime, action: str, change: OwnershipChange, detail: str
) -> None:
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action=action,
        target=f"home:{change.home_id}",
        detail=f"change:{change.id} {detail}",
    )
