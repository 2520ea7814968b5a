"""物业费 by home type and floor band: a property fee tariff may price one type of home
(住宅, 商铺, 办公, 车库/储藏) and/or a band of floors (多层 1-6, 高层 7+); each home gets the most
specific tariff that covers it. Each scope keeps its own versions and seasons: the newest
version of the scope in force when the month begins and applying in its month."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import HomeType, Utility
from hub.errors import InvalidInput
from hub.services.billing.periods import Period
from hub.services.billing.seasons import applies_in
from hub.services.billing.text import home_label
from hub.storage.models import Home, Site, Tariff

Scope = tuple[HomeType | None, int | None, int | None]  # home type, first floor, last floor


def scope_of(tariff: Tariff) -> Scope:
    return (tariff.home_type, tariff.floor_from, tariff.floor_to)


def covers(tariff: Tariff, home: Home) -> bool:
    if tariff.home_type is not None and tariff.home_type is not home.home_type:
        return False
    if tariff.floor_from is None and tariff.floor_to is None:
        return True
    if home.floor is None:
        return False  # a floor band prices homes whose floor is known
    low = tariff.floor_from if tariff.floor_from is not None else home.floor
    high = tariff.floor_to if tariff.floor_to is not None else home.floor
    return low <= home.floor <= high


def _specificity(tariff: Tariff) -> tuple[bool, bool, int]:
    """A type beats a floor band beats neither; a narrower band beats a wider one."""
    banded = tariff.floor_from is not None or tariff.floor_to is not None
    if tariff.floor_from is not None and tariff.floor_to is not None:
        width = tariff.floor_to - tariff.floor_from
    else:
        width = 10_000  # open-ended
    return (tariff.home_type is not None, banded, -width)


def tariffs_at(session: Session, site: Site, month: Period, start: datetime) -> list[Tariff]:
    """Per scope, the newest version effective at `start` that applies in `month`."""
    newest: dict[Scope, Tariff] = {}
    for tariff in session.scalars(
        select(Tariff)
        .where(
            Tariff.site_id == site.id,
            Tariff.utility == Utility.PROPERTY_FEE,
            Tariff.effective_from <= start,
        )
        .order_by(Tariff.effective_from.desc(), Tariff.version.desc())
    ):
        if applies_in(tariff, month.month):
            newest.setdefault(scope_of(tariff), tariff)
    return list(newest.values())


def tariff_for(home: Home, tariffs: list[Tariff], site: Site, start: datetime) -> Tariff:
    """The most specific tariff covering `home`; none, or two equally specific: the run stops."""
    found = sorted((t for t in tariffs if covers(t, home)), key=_specificity, reverse=True)
    floor = "floor unknown" if home.floor is None else f"floor {home.floor}"
    what = f"home {home_label(home)} ({home.home_type.value}, {floor})"
    if not found:
        raise InvalidInput(
            f"site {site.code}: no property_fee tariff is effective on {start:%Y-%m-%d} for "
            f"{what}; add one for its type or floor to the site file, then run billing again"
        )
    if len(found) > 1 and _specificity(found[0]) == _specificity(found[1]):
        raise InvalidInput(
            f"site {site.code}: property_fee tariffs v{found[0].version} and "
            f"v{found[1].version} both apply to {what} equally; narrow one of them"
        )
    return found[0]
