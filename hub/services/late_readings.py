"""Meter readings that arrived after their month was billed: flagged for finance, never billed.

A bill is written once (hub/services/billing/), and billing ignores a reading that arrived
after the bill of its own month was issued, so such a reading would otherwise go unnoticed:
an edge gateway's replay after a long outage, a manual reading entered too late, or a forged
back-dated value. Each one is flagged as it is stored, with the bill it came too late for, and
finance lists them (GET /api/v1/billing/late-readings) to settle them by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, insert, select
from sqlalchemy.orm import Session

from hub.services.billing import decimal_text, period_containing
from hub.services.billing.run import COMMON_LABEL
from hub.storage.models import Bill, Building, Device, Home, LateReading, Meter, Reading, Site

# The widest UTC offsets a site's timezone can have: +14 h (Kiribati), -12 h
_EAST, _WEST = timedelta(hours=14), timedelta(hours=12)

StoredReading = tuple[int, int, str, datetime]  # id, device id, metric, ts


@dataclass(frozen=True)
class LateReadingView:
    """One flagged reading, with the bill it came too late for."""

    id: int
    reading_id: int
    bill_id: int
    home: str
    period: str
    meter: str  # the meter's device code
    metric: str
    value: str | None
    ts: datetime
    received_at: datetime
    source: str
    flagged_at: datetime


def flag_late_readings(
    session: Session, readings: Sequence[StoredReading], *, now: datetime
) -> int:
    """Flag those of the just-stored `readings` whose month is billed already; how many.

    Costs nothing for readings of a month still open at every site (the usual case): only the
    rest are looked up, a query for their meters, one for their bills.
    """
    bound = _latest_month_end(now)
    candidates = [r for r in readings if r[3] <= bound]
    if not candidates:
        return 0
    devices = sorted({r[1] for r in candidates})
    late = _late_for_homes(session, candidates, devices, now)
    late.update(_late_for_shares(session, candidates, devices, now))
    rows = [
        {"reading_id": reading_id, "bill_id": bill_id, "flagged_at": now}
        for reading_id, bill_id in late.items()
    ]
    if rows:
        session.execute(insert(LateReading), rows)
    return len(rows)


def _late_for_homes(
    session: Session, candidates: list[StoredReading], devices: list[int], now: datetime
) -> dict[int, int]:
    """Readings of a home's meter late for that home's bill of their month, by reading id."""
    meters = {
        (device_id, key): (home_id, timezone)
        for device_id, key, home_id, timezone in session.execute(
            select(Meter.device_id, Meter.reading_key, Home.id, Site.timezone)
            .join(Home, Home.id == Meter.home_id)
            .join(Building, Building.id == Home.building_id)
            .join(Site, Site.id == Building.site_id)
            .where(Meter.device_id.in_(devices))
        )
    }
    wanted: dict[int, tuple[int, str]] = {}  # reading id -> (home id, period)
    for reading_id, device_id, metric, ts in candidates:
        meter = meters.get((device_id, metric))
        if meter is not None:
            wanted[reading_id] = (meter[0], period_containing(ts, meter[1]).text)
    if not wanted:
        return {}
    bills = {
        (home_id, period): bill_id
        for bill_id, home_id, period in session.execute(
            select(Bill.id, Bill.home_id, Bill.period).where(
                Bill.home_id.in_(sorted({h for h, _ in wanted.values()})),
                Bill.period.in_(sorted({p for _, p in wanted.values()})),
                Bill.issued_at < now,
            )
        )
    }
    return {reading_id: bills[key] for reading_id, key in wanted.items() if key in bills}


def _late_for_shares(
    session: Session, candidates: list[StoredReading], devices: list[int], now: datetime
) -> dict[int, int]:
    """Readings of a common-area meter (公摊) late for its month's shares: the run ignores a
    common reading once any bill of the estate for its month was issued, the first of which it
    is flagged against."""
    commons = {
        (device_id, key): (site_id, timezone)
        for device_id, key, site_id, timezone in session.execute(
            select(Meter.device_id, Meter.reading_key, Device.site_id, Site.timezone)
            .join(Device, Device.id == Meter.device_id)
            .join(Site, Site.id == Device.site_id)
            .where(Meter.home_id.is_(None), Meter.device_id.in_(devices))
        )
    }
    found: dict[int, int] = {}
    for reading_id, device_id, metric, ts in candidates:
        meter = commons.get((device_id, metric))
        if meter is None:
            continue
        site_id, timezone = meter
        first_bill = session.scalar(
            select(Bill.id)
            .join(Home, Home.id == Bill.home_id)
            .join(Building, Building.id == Home.building_id)
            .where(
                Building.site_id == site_id,
                Bill.period == period_containing(ts, timezone).text,
                Bill.issued_at < now,
            )
            .order_by(Bill.issued_at, Bill.id)
            .limit(1)
        )
        if first_bill is not None:
            found[reading_id] = first_bill
    return found


def _latest_month_end(now: datetime) -> datetime:
    """The latest instant at which a month can have ended by `now` at some site; readings after
    it belong to a month still open everywhere, so they cannot be late for a bill."""
    month = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    next_month = (month + timedelta(days=32)).replace(day=1)
    if now >= next_month - _EAST or now <= month + _WEST:
        return now  # some site's month ends around now
    return month + _WEST


def list_late_readings(
    session: Session, *, limit: int = 200, offset: int = 0
) -> list[LateReadingView]:
    """Newest flag first."""
    query = (
        select(LateReading, Reading, Bill, Building.code, Home.code, Device.code, Meter.home_id)
        .join(Reading, Reading.id == LateReading.reading_id)
        .join(Bill, Bill.id == LateReading.bill_id)
        .join(Home, Home.id == Bill.home_id)
        .join(Building, Building.id == Home.building_id)
        .join(Device, Device.id == Reading.device_id)
        .outerjoin(
            Meter, and_(Meter.device_id == Reading.device_id, Meter.reading_key == Reading.metric)
        )
        .order_by(LateReading.flagged_at.desc(), LateReading.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [
        LateReadingView(
            id=flag.id,
            reading_id=reading.id,
            bill_id=bill.id,
            home=f"{building}/{home}" if meter_home is not None else COMMON_LABEL,
            period=bill.period,
            meter=device,
            metric=reading.metric,
            value=None if reading.value is None else decimal_text(reading.value),
            ts=reading.ts,
            received_at=reading.received_at,
            source=reading.source,
            flagged_at=flag.flagged_at,
        )
        for flag, reading, bill, building, home, device, meter_home in session.execute(query)
    ]
