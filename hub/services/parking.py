"""Parking (停车费): an estate's spaces, rented (租赁) or owned (产权) with a monthly fee, and the
homes' contracts for them; the billing run adds a line per contract a month
(hub/services/billing/other_fees.py). Finance adds and ends them; every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import ParkingKind
from hub.errors import Conflict, InvalidInput, NotFound
from hub.services import audit
from hub.services.billing.text import home_label
from hub.storage.models import Building, Home, ParkingContract, ParkingSpace, Site, User


@dataclass(frozen=True)
class SpaceIn:
    site_id: int
    code: str
    kind: ParkingKind
    monthly_fee: Decimal
    location: str = ""


def list_spaces(session: Session, *, site_id: int | None = None) -> list[ParkingSpace]:
    query = select(ParkingSpace).order_by(ParkingSpace.site_id, ParkingSpace.code)
    if site_id is not None:
        query = query.where(ParkingSpace.site_id == site_id)
    return list(session.scalars(query))


def add_space(session: Session, data: SpaceIn, *, by: User | None, now: datetime) -> ParkingSpace:
    if session.get(Site, data.site_id) is None:
        raise NotFound(f"site {data.site_id} does not exist")
    taken = session.scalar(
        select(ParkingSpace.id).where(
            ParkingSpace.site_id == data.site_id, ParkingSpace.code == data.code
        )
    )
    if taken is not None:
        raise Conflict(f"parking space {data.code} exists already", code="parking_space_exists")
    space = ParkingSpace(
        site_id=data.site_id,
        code=data.code,
        kind=data.kind,
        monthly_fee=data.monthly_fee,
        location=data.location,
    )
    session.add(space)
    session.flush()
    _audit(
        session,
        by,
        now,
        "parking_space_added",
        f"parking_space:{space.id}",
        f"{space.code} {space.kind.value} {space.monthly_fee:.2f}/month",
    )
    return space


def list_contracts(
    session: Session, *, site_id: int | None = None, home_id: int | None = None
) -> list[ParkingContract]:
    query = (
        select(ParkingContract)
        .join(ParkingSpace, ParkingSpace.id == ParkingContract.space_id)
        .order_by(ParkingSpace.code, ParkingContract.starts_on)
    )
    if site_id is not None:
        query = query.where(ParkingSpace.site_id == site_id)
    if home_id is not None:
        query = query.where(ParkingContract.home_id == home_id)
    return list(session.scalars(query))


def add_contract(
    session: Session,
    *,
    space_id: int,
    home_id: int,
    starts_on: date,
    ends_on: date | None,
    by: User | None,
    now: datetime,
) -> ParkingContract:
    """A home's contract for a space; the space must be free for all of its days."""
    space = session.get(ParkingSpace, space_id)
    if space is None:
        raise NotFound(f"parking space {space_id} does not exist")
    home = session.get(Home, home_id)
    if home is None or _site_of(session, home) != space.site_id:
        raise NotFound(f"home {home_id} not found at the space's estate")
    _check_dates(starts_on, ends_on)
    _check_free(session, space, starts_on, ends_on, ignore=None)
    contract = ParkingContract(
        space_id=space.id,
        home_id=home.id,
        starts_on=starts_on,
        ends_on=ends_on,
        created_at=now,
        created_by_id=by.id if by else None,
    )
    session.add(contract)
    session.flush()
    _audit(
        session,
        by,
        now,
        "parking_contract_added",
        f"parking_contract:{contract.id}",
        f"{space.code} for {home_label(home)} from {starts_on} to {ends_on or 'open'}",
    )
    return contract


def end_contract(
    session: Session, contract_id: int, *, ends_on: date, by: User, now: datetime
) -> ParkingContract:
    """The contract's last day (inclusive): billed to it, prorated by day."""
    contract = session.get(ParkingContract, contract_id)
    if contract is None:
        raise NotFound(f"parking contract {contract_id} does not exist")
    _check_dates(contract.starts_on, ends_on)
    _check_free(session, contract.space, contract.starts_on, ends_on, ignore=contract.id)
    contract.ends_on = ends_on
    session.flush()
    _audit(
        session,
        by,
        now,
        "parking_contract_ended",
        f"parking_contract:{contract.id}",
        f"{contract.space.code} for {home_label(contract.home)} ends {ends_on}",
    )
    return contract


def _site_of(session: Session, home: Home) -> int:
    site_id = session.scalar(select(Building.site_id).where(Building.id == home.building_id))
    assert site_id is not None  # a foreign key
    return site_id


def _check_dates(starts_on: date, ends_on: date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput(
            f"a parking contract ends ({ends_on}) on or after it starts ({starts_on})",
            code="parking_dates",
        )


def _check_free(
    session: Session,
    space: ParkingSpace,
    starts_on: date,
    ends_on: date | None,
    *,
    ignore: int | None,
) -> None:
    for other in session.scalars(
        select(ParkingContract).where(ParkingContract.space_id == space.id)
    ):
        overlaps = (other.ends_on is None or other.ends_on >= starts_on) and (
            ends_on is None or other.starts_on <= ends_on
        )
        if other.id != ignore and overlaps:
            raise Conflict(
                f"parking space {space.code} is let to {home_label(other.home)} from "
                f"{other.starts_on} to {other.ends_on or 'open'}",
                code="parking_space_taken",
            )


def _audit(
    session: Session, by: User | None, now: datetime, action: str, target: str, detail: str
) -> None:
    audit.record(
        session, at=now, user_id=by.id if by else None, action=action, target=target, detail=detail
    )
