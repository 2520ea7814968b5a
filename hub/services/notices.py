"""Notices (通知公告): staff publish to a whole site or one building; owners read their own.

An owner sees the site-wide notices of the sites their homes are in, plus the notices of their
own buildings, and nothing addressed to another building.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from hub.domain import Role
from hub.errors import InvalidInput, NotFound
from hub.services.users import owner_home_ids
from hub.storage.models import Building, Home, Notice, Site, User


def publish(
    session: Session,
    *,
    title: str,
    body: str,
    by: User,
    now: datetime,
    building_id: int | None = None,
    site_id: int | None = None,
) -> Notice:
    """Publish to one building, or site-wide (the only site when a hub runs just one)."""
    title, body = title.strip(), body.strip()
    if not title or len(title) > 200:
        raise InvalidInput("title: give a title of 1 to 200 characters")
    if not body:
        raise InvalidInput("body: the notice needs some text")
    notice = Notice(
        site_id=_target_site(session, building_id=building_id, site_id=site_id),
        building_id=building_id,
        title=title,
        body=body,
        published_at=now,
        published_by_id=by.id,
    )
    session.add(notice)
    session.flush()
    return notice


def _target_site(session: Session, *, building_id: int | None, site_id: int | None) -> int:
    if building_id is not None:
        building = session.get(Building, building_id)
        if building is None:
            raise InvalidInput(f"building_id: no building {building_id}")
        if site_id is not None and site_id != building.site_id:
            raise InvalidInput(f"building_id: building {building_id} is not in site {site_id}")
        return building.site_id
    if site_id is not None:
        if session.get(Site, site_id) is None:
            raise InvalidInput(f"site_id: no site {site_id}")
        return site_id
    site_ids = list(session.scalars(select(Site.id).limit(2)))
    if len(site_ids) != 1:
        raise InvalidInput("site_id: name the site (the hub holds more than one, or none)")
    return site_ids[0]


def list_for(session: Session, user: User, *, limit: int = 200) -> list[Notice]:
    """Newest first: everything for staff, an owner's site-wide and own-building notices."""
    query = select(Notice).order_by(Notice.published_at.desc(), Notice.id.desc()).limit(limit)
    if user.role is Role.OWNER:
        query = query.where(_owner_filter(session, user))
    return list(session.scalars(query))


def get_visible_or_raise(session: Session, notice_id: int, user: User) -> Notice:
    query = select(Notice).where(Notice.id == notice_id)
    if user.role is Role.OWNER:
        query = query.where(_owner_filter(session, user))
    notice = session.scalars(query).one_or_none()
    if notice is None:
        raise NotFound(f"notice {notice_id} not found")
    return notice


def _owner_filter(session: Session, user: User) -> ColumnElement[bool]:
    homes = owner_home_ids(session, user)
    rows = session.execute(
        select(Building.id, Building.site_id)
        .join(Home, Home.building_id == Building.id)
        .where(Home.id.in_(homes))
    ).all()
    building_ids = {row.id for row in rows}
    site_ids = {row.site_id for row in rows}
    return or_(
        Notice.building_id.in_(building_ids),
        and_(Notice.building_id.is_(None), Notice.site_id.in_(site_ids)),
    )


def notice_view(session: Session, notice: Notice) -> dict[str, Any]:
    """The JSON shape of a notice."""
    building = session.get(Building, notice.building_id) if notice.building_id else None
    author = session.get(User, notice.published_by_id)
    return {
        "id": notice.id,
        "site_id": notice.site_id,
        "building_id": notice.building_id,
        "building": building.name if building else None,
        "title": notice.title,
        "body": notice.body,
        "published_at": notice.published_at.isoformat(),
        "published_by": author.full_name if author else None,
    }
