"""Notices (通知公告): staff publish to a whole site, chosen buildings or chosen homes; owners
read their own.

An owner sees the site-wide notices of the sites their homes are in, plus the notices addressed
to one of their own buildings or homes, and nothing addressed only to others; never one that
has expired or been withdrawn. Pinned notices (emergency ones always are) come first, then the
newest. Opening a notice counts as read (once per owner); staff see how many owners have read
each one, and who (`notice_receipts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from hub.domain import Role
from hub.errors import Conflict, InvalidInput, NotFound
from hub.services.users import owner_home_ids
from hub.services.work_order_views import home_label
from hub.storage.models import (
    Building,
    Home,
    Notice,
    NoticeBuilding,
    NoticeHome,
    NoticeRead,
    Site,
    User,
)


class NoticeBuildingOut(BaseModel):
    id: int
    name: str


class NoticeHomeOut(BaseModel):
    id: int
    label: str = Field(description="building/home, e.g. B1/101")


class NoticeOut(BaseModel):
    id: int
    site_id: int
    buildings: list[NoticeBuildingOut] = Field(description="empty: the whole site (or homes)")
    building: str | None = Field(description="the buildings' names, joined; null: whole site")
    unit: str = Field(description="单元 within the buildings, e.g. 1单元; empty: whole buildings")
    homes: list[NoticeHomeOut] = Field(description="the homes it is for; empty: not by home")
    title: str
    body: str
    pinned: bool
    emergency: bool = Field(description="pushed to the owners' inbox and phones when published")
    published_at: datetime
    published_by: str | None
    expires_at: datetime | None = Field(description="owners stop seeing it then; null: never")
    withdrawn_at: datetime | None = Field(description="owners no longer see it; staff do")
    withdraw_reason: str | None
    read_count: int | None = Field(description="owners who opened it; null for an owner")
    read_at: datetime | None = Field(
        default=None, description="an owner's own first opening; null: not yet (or staff)"
    )


def publish(
    session: Session,
    *,
    title: str,
    body: str,
    by: User,
    now: datetime,
    building_ids: Sequence[int] = (),
    unit: str = "",
    home_ids: Sequence[int] = (),
    site_id: int | None = None,
    pinned: bool = False,
    emergency: bool = False,
    expires_at: datetime | None = None,
) -> Notice:
    """Publish to chosen buildings (or one unit of them) or chosen homes (all of one site), or
    site-wide (the only site when a hub runs just one). An emergency notice is always pinned."""
    title, body = title.strip(), body.strip()
    if not title or len(title) > 200:
        raise InvalidInput("title: give a title of 1 to 200 characters")
    if not body:
        raise InvalidInput("body: the notice needs some text")
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("expires_at: give a time in the future", code="notice_expiry_past")
    buildings, homes = sorted(set(building_ids)), sorted(set(home_ids))
    if buildings and homes:
        raise InvalidInput(
            "audience: address buildings or homes, not both", code="notice_audience_mixed"
        )
    unit = unit.strip()
    if unit:
        _check_unit(session, buildings, unit)
    if homes:
        buildings_of_homes = _home_buildings(session, homes)
        target = _target_site(session, building_ids=buildings_of_homes, site_id=site_id)
    else:
        target = _target_site(session, building_ids=buildings, site_id=site_id)
    notice = Notice(
        site_id=target,
        title=title,
        body=body,
        pinned=pinned or emergency,
        emergency=emergency,
        published_at=now,
        published_by_id=by.id,
        expires_at=expires_at,
        unit=unit,
    )
    session.add(notice)
    session.flush()
    session.add_all(NoticeBuilding(notice_id=notice.id, building_id=b) for b in buildings)
    session.add_all(NoticeHome(notice_id=notice.id, home_id=h) for h in homes)
    session.flush()
    return notice


def withdraw(session: Session, notice: Notice, *, by: User, reason: str, now: datetime) -> None:
    """Take a notice back: owners stop seeing it at once; staff see when, by whom and why."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason: say why the notice is withdrawn")
    if notice.withdrawn_at is not None:
        raise Conflict(f"notice {notice.id} is already withdrawn", code="notice_withdrawn")
    notice.withdrawn_at, notice.withdrawn_by_id, notice.withdraw_reason = now, by.id, reason
    session.flush()


def _check_unit(session: Session, building_ids: list[int], unit: str) -> None:
    """A unit is of chosen buildings, and each of them has homes in it."""
    if not building_ids:
        raise InvalidInput("unit: choose the buildings first", code="notice_unit_needs_building")
    having = set(
        session.scalars(
            select(Home.building_id).where(Home.building_id.in_(building_ids), Home.unit == unit)
        )
    )
    if having != set(building_ids):
        raise InvalidInput(
            f"unit: no homes in {unit!r} in every chosen building", code="notice_unit_unknown"
        )


def _home_buildings(session: Session, home_ids: list[int]) -> list[int]:
    rows = session.execute(select(Home.id, Home.building_id).where(Home.id.in_(home_ids))).all()
    found = {row.id: row.building_id for row in rows}
    missing = [h for h in home_ids if h not in found]
    if missing:
        raise InvalidInput(f"home_ids: no home {', '.join(map(str, missing))}")
    return sorted(set(found.values()))


def _target_site(session: Session, *, building_ids: list[int], site_id: int | None) -> int:
    if building_ids:
        found = {
            b.id: b for b in session.scalars(select(Building).where(Building.id.in_(building_ids)))
        }
        missing = [b for b in building_ids if b not in found]
        if missing:
            raise InvalidInput(f"building_ids: no building {', '.join(map(str, missing))}")
        sites = {b.site_id for b in found.values()}
        if len(sites) > 1:
            raise InvalidInput("building_ids: the buildings are in different sites")
        (only,) = sites
        if site_id is not None and site_id != only:
            raise InvalidInput(f"building_ids: the buildings are not in site {site_id}")
        return only
    if site_id is not None:
        if session.get(Site, site_id) is None:
            raise InvalidInput(f"site_id: no site {site_id}")
        return site_id
    site_ids = list(session.scalars(select(Site.id).limit(2)))
    if len(site_ids) != 1:
        raise InvalidInput("site_id: name the site (the hub holds more than one, or none)")
    return site_ids[0]


def list_for(session: Session, user: User, *, now: datetime, limit: int = 200) -> list[Notice]:
    """Pinned first, then newest: everything for staff, an owner's current site-wide,
    own-building and own-home notices."""
    query = (
        select(Notice)
        .order_by(Notice.pinned.desc(), Notice.published_at.desc(), Notice.id.desc())
        .limit(limit)
    )
    if user.role is Role.OWNER:
        query = query.where(_owner_filter(session, user, now))
    return list(session.scalars(query))


def get_visible_or_raise(session: Session, notice_id: int, user: User, *, now: datetime) -> Notice:
    query = select(Notice).where(Notice.id == notice_id)
    if user.role is Role.OWNER:
        query = query.where(_owner_filter(session, user, now))
    notice = session.scalars(query).one_or_none()
    if notice is None:
        raise NotFound(f"notice {notice_id} not found")
    return notice


def mark_read(session: Session, notice: Notice, user: User, *, now: datetime) -> None:
    """Count the owner's first opening of the notice; later ones change nothing."""
    if session.get(NoticeRead, (notice.id, user.id)) is None:
        session.add(NoticeRead(notice_id=notice.id, user_id=user.id, read_at=now))
        session.flush()


def _owner_filter(session: Session, user: User, now: datetime) -> ColumnElement[bool]:
    homes = owner_home_ids(session, user)
    site_ids = set(
        session.scalars(
            select(Building.site_id)
            .join(Home, Home.building_id == Building.id)
            .where(Home.id.in_(homes))
        )
    )
    to_buildings = select(NoticeBuilding.notice_id).where(NoticeBuilding.notice_id == Notice.id)
    own_building = (
        select(NoticeBuilding.notice_id)
        .join(Home, Home.building_id == NoticeBuilding.building_id)
        .where(
            NoticeBuilding.notice_id == Notice.id,
            Home.id.in_(homes),
            or_(Notice.unit == "", Home.unit == Notice.unit),
        )
    )
    to_homes = select(NoticeHome.notice_id).where(NoticeHome.notice_id == Notice.id)
    current = and_(
        Notice.withdrawn_at.is_(None), or_(Notice.expires_at.is_(None), Notice.expires_at > now)
    )
    addressed = or_(
        exists(own_building),
        exists(to_homes.where(NoticeHome.home_id.in_(homes))),
        and_(~exists(to_buildings), ~exists(to_homes), Notice.site_id.in_(site_ids)),
    )
    return and_(current, addressed)


def notice_views(session: Session, found: Sequence[Notice], user: User) -> list[NoticeOut]:
    """The notices as people see them; read counts for staff only."""
    ids = [n.id for n in found]
    buildings: dict[int, list[NoticeBuildingOut]] = {}
    for notice_id, building in session.execute(
        select(NoticeBuilding.notice_id, Building)
        .join(Building, Building.id == NoticeBuilding.building_id)
        .where(NoticeBuilding.notice_id.in_(ids))
        .order_by(Building.code)
    ).all():
        buildings.setdefault(notice_id, []).append(
            NoticeBuildingOut(id=building.id, name=building.name)
        )
    homes: dict[int, list[NoticeHomeOut]] = {}
    for notice_id, home in session.execute(
        select(NoticeHome.notice_id, Home)
        .join(Home, Home.id == NoticeHome.home_id)
        .where(NoticeHome.notice_id.in_(ids))
        .order_by(Home.id)
    ).all():
        homes.setdefault(notice_id, []).append(NoticeHomeOut(id=home.id, label=home_label(home)))
    reads: dict[int, int] = {}
    read_at: dict[int, datetime] = {}
    if user.role is Role.OWNER:
        read_at = dict(
            session.execute(
                select(NoticeRead.notice_id, NoticeRead.read_at).where(
                    NoticeRead.user_id == user.id, NoticeRead.notice_id.in_(ids)
                )
            ).all()
        )
    else:
        reads = dict(
            session.execute(
                select(NoticeRead.notice_id, func.count())
                .where(NoticeRead.notice_id.in_(ids))
                .group_by(NoticeRead.notice_id)
            ).all()
        )
    authors = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.id.in_({n.published_by_id for n in found}))
        )
    }
    views = []
    for notice in found:
        to = buildings.get(notice.id, [])
        author = authors.get(notice.published_by_id)
        views.append(
            NoticeOut(
                id=notice.id,
                site_id=notice.site_id,
                buildings=to,
                building="、".join(b.name for b in to) or None,
                unit=notice.unit,
                homes=homes.get(notice.id, []),
                title=notice.title,
                body=notice.body,
                pinned=notice.pinned,
                emergency=notice.emergency,
                published_at=notice.published_at,
                published_by=author.full_name if author else None,
                expires_at=notice.expires_at,
                withdrawn_at=notice.withdrawn_at,
                withdraw_reason=notice.withdraw_reason,
                read_count=None if user.role is Role.OWNER else reads.get(notice.id, 0),
                read_at=read_at.get(notice.id),
            )
        )
    return views
