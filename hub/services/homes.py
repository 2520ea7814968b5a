"""Finding a home: an owner's own, or any home for customer service taking a call."""

from __future__ import annotations

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


def search(session: Session, text: str, *, limit: int = 20) -> list[HomeOut]:
    """Homes whose code, building (code or name), label ("B1/101") or owner's name matches."""
    query = select(Home).join(Building, Building.id == Home.building_id)
    words = text.strip()
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
    homes = session.scalars(query.order_by(Building.code, Home.code).limit(limit)).unique()
    return _views(session, list(homes))


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
            label=home_label(home),
            owners=names[home.id],
        )
        for home in homes
    ]
    return sorted(views, key=lambda view: view.label)
