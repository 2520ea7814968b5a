"""An owner's consumption (用量) month by month, per meter, from the meter readings.

A month's use is the meter's register at the month's end minus the one at its start, bounded
the way billing bounds them (hub/services/billing/): the start is the last reading at or
before the month's first instant (else the first inside the month, for a meter commissioned
mid-month), the end the last reading at or before the month's end. The current month runs up
to now. A month with no reading inside it, or whose register went backwards, has no figure:
the chart shows a gap, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.services.billing import Period, period_containing
from hub.services.users import owner_home_ids
from hub.storage.models import Building, Home, Meter, Reading, Site, User

MONTHS = 12


@dataclass(frozen=True)
class MonthUse:
    period: str  # "YYYY-MM"
    quantity: Decimal | None  # None: the readings cannot tell
    complete: bool  # False for the month still running


@dataclass(frozen=True)
class MeterUsage:
    home: str  # "B1/101"
    meter: str  # the meter's device code
    utility: str
    unit: str
    months: list[MonthUse]


def owner_usage(
    session: Session, user: User, *, now: datetime, months: int = MONTHS
) -> list[MeterUsage]:
    """Every meter of the owner's own homes, with its last `months` months, oldest first
    (staff own no home: they get nothing)."""
    homes = owner_home_ids(session, user)
    rows = session.execute(
        select(Meter, Home, Building.code, Site.timezone)
        .join(Home, Home.id == Meter.home_id)
        .join(Building, Building.id == Home.building_id)
        .join(Site, Site.id == Building.site_id)
        .where(Meter.home_id.in_(homes))
        .order_by(Building.code, Home.code, Meter.utility, Meter.id)
    ).all()
    return [
        MeterUsage(
            home=f"{building}/{home.code}",
            meter=meter.device.code,
            utility=meter.utility.value,
            unit=meter.unit,
            months=_meter_months(session, meter, _periods(now, timezone, months), timezone, now),
        )
        for meter, home, building, timezone in rows
    ]


def _periods(now: datetime, timezone: str, count: int) -> list[Period]:
    """The `count` months ending with the one `now` lies in, oldest first."""
    current = period_containing(now, timezone)
    index = current.year * 12 + current.month - 1
    found = []
    for i in range(index - count + 1, index + 1):
        year, month = divmod(i, 12)
        found.append(Period(f"{year:04d}-{month + 1:02d}", year, month + 1))
    return found


def _meter_months(
    session: Session, meter: Meter, periods: list[Period], timezone: str, now: datetime
) -> list[MonthUse]:
    readings = select(Reading).where(
        Reading.device_id == meter.device_id,
        Reading.metric == meter.reading_key,
        Reading.value.is_not(None),
    )

    def last_by(ts: datetime) -> Reading | None:
        query = readings.where(Reading.ts <= ts).order_by(Reading.ts.desc()).limit(1)
        return session.scalars(query).one_or_none()

    def first_after(ts: datetime) -> Reading | None:
        query = readings.where(Reading.ts > ts).order_by(Reading.ts).limit(1)
        return session.scalars(query).one_or_none()

    bounds = [period.bounds(timezone) for period in periods]
    ends = [min(end, now) for _, end in bounds]
    at_start = last_by(bounds[0][0])
    found = []
    for period, (start, end), until in zip(periods, bounds, ends, strict=True):
        at_end = last_by(until)
        quantity = None
        if at_end is not None and at_end.ts > start:
            first = at_start or first_after(start)
            assert first is not None and first.value is not None and at_end.value is not None
            used = at_end.value - first.value
            quantity = used if used >= 0 else None
        found.append(MonthUse(period.text, quantity, complete=end <= now))
        at_start = at_end
    return found
