"""Finding a home: an owner's own, or any home for customer service taking a call."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.services.users import owner_home_ids
from hub.services.work_order_views import HomeOut, home_label
from hub.storage.models import Building, Home, HomeOwnership, Owner, User


def owners_homes(session: Session, owner: User) -> list[HomeOut]:
    """The homes the owner account may ask repairs for, by label."""
    ids = owner_home_ids(session, owner)
    homes = list(session.scalars(select(Home).where(Home.id.in_(ids)))) if ids else []
    return _views(session, homes, with_owners=False)


@dataclass(frozen=True)
class HomeFilter:
    """What the home list is narrowed by: words (see `search`), estate, building."""

    text: str = ""
    site_id: int | None = None
    building_id: int | None = None


def search(
    session: Session,
    where: HomeFilter,
    *,
    limit: int = 20,
    offset: int = 0,
    with_owners: bool = True,
) -> list[HomeOut]:
    """Homes whose code, building (code or name), label ("B1/101") or owner's name matches,
    by building and home code; `with_owners=False` leaves the owners' names out."""
    query = select(Home).join(Building, Building.id == Home.building_id)
    if where.site_id is not None:
        query = query.where(Building.site_id == where.site_id)
    if where.building_id is not None:
        query = query.where(Home.building_id == where.building_id)
    words = where.text.strip()
    if words:
        code = words.split("/")[-1]
        like = f"%{words}%"
        named = (
            select(HomeOwnership.home_id)
            .join(Owner, Owner.id == HomeOwnership.owner_id)
            .where(Owner.name.ilike(like))
        )
        query = query.where(
            or_(
                Home.code.ilike(f"%{code}%"),
                Building.code.ilike(like),
                Building.name.ilike(like),
                Home.id.in_(named),
            )
        )
        if "/" in words:
            query = query.where(Building.code.ilike(words.split("/")[0] + "%"))
    page = query.order_by(Building.code, Home.code, Home.id).limit(limit).offset(offset)
    return _views(session, list(session.scalars(page).unique()), with_owners=with_owners)


def _views(session: Session, homes: list[Home], *, with_owners: bool = True) -> list[HomeOut]:
    names: dict[int, list[str]] = {home.id: [] for home in homes}
    if names and with_owners:
        rows = session.execute(
            select(HomeOwnership.home_id, Owner.name)
            .join(Owner, Owner.id == HomeOwnership.owner_id)
            .where(HomeOwnership.home_id.in_(list(names)))
            .order_by(Owner.name)
        )
        for home_id, name in rows:
            names[home_id].append(name)
    views = [
        HomeOut(
            id=home.id,
            code=home.code,
            building=home.building.name,
            building_id=home.building_id,
            site_id=home.building.site_id,
            unit=home.unit,
            label=home_label(home),
            owners=names[home.id],
        )
        for home in homes
    ]
    return sorted(views, key=lambda view: view.label)
