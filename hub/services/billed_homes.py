"""What billing needs to know of a home beside its area: its type and floor (which property
fee tariff prices it) and the days the estate bills it (交房/入住 to 迁出/售出). Finance sees every
home this way (no owners' names) and changes these, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import HomeType
from hub.errors import InvalidInput, NotFound
from hub.services import audit
from hub.services.billing.text import home_label
from hub.storage.models import Building, Home, User


@dataclass(frozen=True)
class HomeBilling:
    home_type: HomeType
    floor: int | None
    billed_from: date | None
    billed_until: date | None


def list_homes(session: Session, *, site_id: int | None = None) -> list[Home]:
    query = select(Home).join(Building, Building.id == Home.building_id)
    if site_id is not None:
        query = query.where(Building.site_id == site_id)
    return list(session.scalars(query.order_by(Building.site_id, Building.code, Home.code)))


def set_billing(
    session: Session, home_id: int, data: HomeBilling, *, by: User, now: datetime
) -> Home:
    """A home's type, floor and billed days; from the next billing run on."""
    home = session.get(Home, home_id)
    if home is None:
        raise NotFound(f"home {home_id} not found")
    if data.billed_from and data.billed_until and data.billed_until < data.billed_from:
        raise InvalidInput(
            f"home {home_label(home)}: billed_until {data.billed_until} is before billed_from "
            f"{data.billed_from}",
            code="home_billed_dates",
        )
    home.home_type, home.floor = data.home_type, data.floor
    home.billed_from, home.billed_until = data.billed_from, data.billed_until
    session.flush()
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action="home_billing_changed",
        target=f"home:{home.id}",
        detail=f"{home_label(home)} {data.home_type.value} floor {data.floor} billed "
        f"{data.billed_from or 'open'} to {data.billed_until or 'open'}",
    )
    return home
