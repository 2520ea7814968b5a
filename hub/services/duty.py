"""The duty roster: who is on duty for a category and building at a given moment.

Shifts are daily times in the site's timezone (a shift whose end is before its start runs past
midnight and belongs to the weekday it started on). A shift for a building wins over one for
every building; among equals, the earliest-listed shift wins, so the roster reads top-down.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import Role
from hub.storage.models import DutyShift, Site, User


def _covers(shift: DutyShift, local: datetime) -> bool:
    """Whether the shift covers the local wall-clock moment."""
    now_t: time = local.time()
    if shift.starts <= shift.ends:
        return str(local.isoweekday()) in shift.weekdays and shift.starts <= now_t < shift.ends
    started_today = str(local.isoweekday()) in shift.weekdays and now_t >= shift.starts
    yesterday = (local - timedelta(days=1)).isoweekday()
    started_yesterday = str(yesterday) in shift.weekdays and now_t < shift.ends
    return started_today or started_yesterday


def _covering(
    session: Session, *, site_id: int, category: str, building_id: int | None, now: datetime
) -> list[DutyShift]:
    """The shifts for `category` covering the building at `now`, in the order they win."""
    site = session.get(Site, site_id)
    if site is None:
        return []
    local = now.astimezone(ZoneInfo(site.timezone))
    shifts = session.scalars(
        select(DutyShift)
        .where(DutyShift.site_id == site_id, DutyShift.category == category)
        .order_by(DutyShift.id)
    )
    covering = [
        s
        for s in shifts
        if (s.building_id is None or s.building_id == building_id) and _covers(s, local)
    ]
    covering.sort(key=lambda s: s.building_id is None)  # building-specific first, stable
    return covering


def on_duty_technicians(
    session: Session, *, site_id: int, category: str, building_id: int | None, now: datetime
) -> list[User]:
    """Every active technician on duty for `category` in the building at `now`, each once, in
    the order their shifts win."""
    found: dict[int, User] = {}
    for shift in _covering(
        session, site_id=site_id, category=category, building_id=building_id, now=now
    ):
        user = session.get(User, shift.user_id)
        if user is not None and user.active and user.role is Role.TECHNICIAN:
            found.setdefault(user.id, user)
    return list(found.values())
