"""Which instants a reconciliation day covers: a calendar day in the estates' timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.storage.models import Site

PROVIDERS_ZONE = "Asia/Shanghai"  # WeChat Pay and Alipay cut their statements at Beijing midnight


def zone(session: Session) -> ZoneInfo:
    """The sites' timezone; Beijing time when there is no site or the sites disagree (one
    merchant account serves every estate, and its statements follow one clock)."""
    zones = set(session.scalars(select(Site.timezone).distinct()))
    return ZoneInfo(zones.pop() if len(zones) == 1 else PROVIDERS_ZONE)


def bounds(session: Session, day: date) -> tuple[datetime, datetime]:
    """The first instant of `day` and of the next day, as UTC."""
    where = zone(session)
    start = datetime.combine(day, time(), where)
    return start.astimezone(UTC), datetime.combine(
        day + timedelta(days=1), time(), where
    ).astimezone(UTC)


def day_of(session: Session, at: datetime) -> date:
    return at.astimezone(zone(session)).date()
