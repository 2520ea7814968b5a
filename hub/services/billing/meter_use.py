"""What a meter used in a month: the readings that bound it, every drop between them checked
(hub/services/consumption.py), late readings left out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Protocol

from sqlalchemy import ColumnElement, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from hub.services.billing.periods import parse_period
from hub.services.billing.reading_values import effective_value
from hub.services.billing.text import decimal_text
from hub.services.consumption import Drop, Register, consumption
from hub.storage.models import Meter, Reading
from hub.storage.types import QUANTITY

_MANUAL_READING = "enter a manual reading (人工抄表) and bill this meter by hand"


class ReadingPoint(Protocol):
    """What a bill keeps of a reading: a `Reading`, or the bulk path's lighter copy."""

    @property
    def id(self) -> int: ...
    @property
    def ts(self) -> datetime: ...
    @property
    def value(self) -> Decimal | None: ...


@dataclass(frozen=True)
class MeterUse:
    """The readings that bound a meter's month and what was used between them."""

    start: ReadingPoint | None
    end: ReadingPoint | None
    problem: str | None  # why the meter is not billed, in words an owner understands
    action: str = ""  # what finance should do about it
    problem_code: str = ""  # for the finance page to translate: no_readings, ...
    params: dict[str, str] = field(default_factory=dict)
    quantity: Decimal = Decimal(0)
    wraps: int = 0  # times the register passed its maximum and started again at 0
    corrected: bool = False  # a bounding reading's value is a correction (人工更正)
    start_value: Decimal | None = None  # the bounding readings' values, corrected or not
    end_value: Decimal | None = None
    estimated_end: Decimal | None = None  # 估抄: the register assumed at the month's end
    trued_up: Decimal = Decimal(0)  # earlier months' estimates taken off this real use
    daily_use: Decimal | None = None  # 估抄: the average daily use the estimate is made of
    return_price: Decimal | None = None  # a true-up below zero gives back at the estimates' price


def on_time_filter(
    bills: Sequence[tuple[str, datetime]], timezone: str
) -> ColumnElement[bool] | None:
    """Readings a bill may use: not one that arrived after the bill of its own month was issued
    (`bills`: the home's, as period and issue time), so a billed month stays as billed."""
    late = []
    for period, issued_at in bills:
        start, end = parse_period(period).bounds(timezone)
        late.append(and_(Reading.ts > start, Reading.ts <= end, Reading.received_at > issued_at))
    return not_(or_(*late)) if late else None


def meter_use(
    session: Session,
    meter: Meter,
    start: datetime,
    end: datetime,
    on_time: ColumnElement[bool] | None,
    *,
    reading_key: str | None = None,
) -> MeterUse:
    """Start: last reading at or before `start`, else the first inside the month (meter
    commissioned mid-month). End: last reading at or before `end`. Late readings do not count.
    Every reading in between is checked for drops (hub/services/consumption.py). The meter's
    register, or another of its registers (a time-of-use band's) by `reading_key`. A corrected
    reading counts with its corrected value."""
    value = effective_value()
    conditions = [
        Reading.device_id == meter.device_id,
        Reading.metric == (reading_key or meter.reading_key),
        value.is_not(None),
    ]
    if on_time is not None:
        conditions.append(on_time)
    readings = select(Reading, value, value.is_distinct_from(Reading.value)).where(*conditions)
    found = session.execute(
        readings.where(Reading.ts <= end).order_by(Reading.ts.desc()).limit(1)
    ).one_or_none()
    if found is None:
        return MeterUse(
            None,
            None,
            "no readings at all up to the end of the month",
            _MANUAL_READING,
            problem_code="no_readings",
        )
    last_by_end, end_value, end_corrected = found
    if last_by_end.ts <= start:
        seen = _seen(last_by_end, end_value, start)
        return MeterUse(
            last_by_end,
            last_by_end,
            f"no reading during the month (last: {seen})",
            _MANUAL_READING,
            problem_code="no_reading_in_month",
            params={"last": seen},
            corrected=bool(end_corrected),
            start_value=end_value,
            end_value=end_value,
        )
    first, start_value, start_corrected = (
        session.execute(
            readings.where(Reading.ts <= start).order_by(Reading.ts.desc()).limit(1)
        ).one_or_none()
        or session.execute(readings.where(Reading.ts > start).order_by(Reading.ts).limit(1)).one()
    )
    bounded = MeterUse(
        first,
        last_by_end,
        None,
        corrected=bool(start_corrected or end_corrected),
        start_value=start_value,
        end_value=end_value,
    )
    drops = _drops(session, conditions, first, last_by_end)
    return used_between(meter, bounded, drops, start.tzinfo)


def used_between(
    meter: Meter, bounded: MeterUse, drops: Sequence[Drop], local: tzinfo | None
) -> MeterUse:
    """`bounded` (its readings and their values) with the use between them, given every step
    down between them: across the register's wraps, or a problem (its time in the site's
    `local` time) where a drop is no wrap."""
    assert bounded.start_value is not None and bounded.end_value is not None
    register = Register(meter.register_max)
    used = consumption(bounded.start_value, bounded.end_value, drops, register)
    if used.unexplained is not None:
        drop = used.unexplained
        before, after = decimal_text(drop.before), decimal_text(drop.after)
        when = f"{drop.at.astimezone(local):%Y-%m-%d %H:%M}"
        return replace(
            bounded,
            problem=f"reading went backwards from {before} to {after} at {when} "
            "(meter replaced or reset?)",
            action="check the meter and bill this month by hand",
            problem_code="reading_backwards",
            params={"from": before, "to": after, "at": when},
        )
    assert used.quantity is not None
    return replace(bounded, quantity=used.quantity, wraps=used.wraps)


def _drops(
    session: Session, conditions: list[ColumnElement[bool]], first: Reading, last: Reading
) -> list[Drop]:
    """Every pair of consecutive readings from `first` to `last` where the register went down,
    found by the database (LAG) so a month of frequent readings is not loaded to be walked."""
    value = effective_value()
    steps = (
        select(
            Reading.ts.label("at"),
            value.label("after"),
            func.lag(value, type_=QUANTITY).over(order_by=(Reading.ts, Reading.id)).label("before"),
        )
        .where(*conditions, Reading.ts >= first.ts, Reading.ts <= last.ts)
        .subquery()
    )
    rows = session.execute(
        select(steps.c.before, steps.c.after, steps.c.at)
        .where(steps.c.after < steps.c.before)
        .order_by(steps.c.at)
    )
    return [Drop(before=before, after=after, at=at) for before, after, at in rows]


def _seen(reading: Reading, value: Decimal, start: datetime) -> str:
    """E.g. "1250 at 2026-10-31 23:59", in the site's time like `start`."""
    return f"{decimal_text(value)} at {reading.ts.astimezone(start.tzinfo):%Y-%m-%d %H:%M}"
