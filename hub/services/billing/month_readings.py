"""Many meters' month read in a few queries: what a billing run over 100,000 homes needs
instead of three queries per meter (hub/services/billing/meter_use.py, whose answers these
are, and which still answers every case this does not: a meter silent all month, one first
read inside the month, a late reading at the start, a month billed before, a corrected
reading).

Per chunk of meters, one query finds each register's first and last reading of the month,
every step down between them (window functions, so a month of frequent readings is not
loaded), and its last few readings before the month (the start, skipping readings that arrived
after their own month was billed)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from hub.services.billing.meter_use import MeterUse, meter_use, on_time_filter, used_between
from hub.services.billing.periods import parse_period
from hub.services.consumption import Drop
from hub.storage.models import Meter, Reading, ReadingCorrection
from hub.storage.types import QUANTITY

CHUNK = 2000  # meters per query: bounded IN lists and memory
START_WINDOW = timedelta(days=45)  # a start reading older than this: the exact path finds it
START_CANDIDATES = 3  # readings before the month kept per register, for skipping late ones

Key = tuple[int, str]  # device id, metric


@dataclass(frozen=True, slots=True)
class _Point:
    """A reading as the bill keeps it (its id), lighter than a `Reading` by 20 times."""

    id: int
    ts: datetime
    value: Decimal
    received_at: datetime


@dataclass
class _Month:
    """One register's month: its first and last reading in the month and its steps down."""

    first: _Point | None = None
    last: _Point | None = None
    drops: list[Drop] = field(default_factory=list)
    before: list[_Point] = field(default_factory=list)  # newest first, up to the month


class MonthReadings:
    """The month (`start` to `end`, at a site in `timezone`) of every meter it was loaded for."""

    def __init__(
        self, months: dict[Key, _Month], start: datetime, end: datetime, timezone: str
    ) -> None:
        self._months = months
        self._start, self._end, self._timezone = start, end, timezone

    @classmethod
    def load(
        cls,
        session: Session,
        meters: Sequence[Meter],
        start: datetime,
        end: datetime,
        timezone: str,
    ) -> MonthReadings:
        months: dict[Key, _Month] = {}
        corrected = _corrected_devices(session)
        for at in range(0, len(meters), CHUNK):
            keys = [(m.device_id, m.reading_key) for m in meters[at : at + CHUNK]]
            keys = [key for key in keys if key[0] not in corrected]  # meter_use reads those
            for key in keys:
                months[key] = _Month()
            for row in _readings(session, keys, start, end):
                month = months[(row.device_id, row.metric)]
                reading = _reading(row)
                if not row.inside:
                    month.before.insert(0, reading)  # newest first
                    continue
                if row.first_n == 1:
                    month.first = reading
                if row.last_n == 1:
                    month.last = reading
                if row.previous is not None and row.value < row.previous:
                    month.drops.append(Drop(before=row.previous, after=row.value, at=row.ts))
        return cls(months, start, end, timezone)

    def use(
        self, session: Session, meter: Meter, bills: Sequence[tuple[str, datetime]]
    ) -> MeterUse:
        """The meter's use, `bills` being its home's issued bills (period, issued at): from
        what was loaded, else by the meter's own queries."""
        found = self.bulk_use(meter, bills)
        if found is not None:
            return found
        on_time = on_time_filter(bills, self._timezone)
        return meter_use(session, meter, self._start, self._end, on_time)

    def bulk_use(self, meter: Meter, bills: Sequence[tuple[str, datetime]]) -> MeterUse | None:
        """The meter's use from what was loaded, or None where only `meter_use` can say."""
        month = self._months.get((meter.device_id, meter.reading_key))
        if month is None or month.first is None or month.last is None:
            return None  # silent all month: meter_use says since when
        late = _LateReadings(bills, self._timezone)
        if late.covers(self._end):
            return None  # this month was billed before: its late readings need the database
        start = next((r for r in month.before if not late.late(r)), None)
        if start is None:
            # first read inside the month, or every recent reading before it is late
            return None
        drops = list(month.drops)
        if month.first.value < start.value:
            drops.insert(0, Drop(before=start.value, after=month.first.value, at=month.first.ts))
        bounded = MeterUse(
            start, month.last, None, start_value=start.value, end_value=month.last.value
        )
        return used_between(meter, bounded, drops, self._start.tzinfo)


class _LateReadings:
    """The readings a bill may not use: taken in an issued month, arrived after its bill."""

    def __init__(self, bills: Iterable[tuple[str, datetime]], timezone: str) -> None:
        self._windows = [(*parse_period(p).bounds(timezone), issued) for p, issued in bills]

    def late(self, reading: _Point) -> bool:
        return any(
            begin < reading.ts <= end and reading.received_at > issued
            for begin, end, issued in self._windows
        )

    def covers(self, at: datetime) -> bool:
        return any(begin < at <= end for begin, end, _ in self._windows)


def _keys_match(keys: Sequence[Key]) -> list[ColumnElement[bool]]:
    return [
        Reading.device_id.in_({device for device, _ in keys}),
        Reading.metric.in_({metric for _, metric in keys}),
        Reading.value.is_not(None),
    ]


def _readings(
    session: Session, keys: Sequence[Key], start: datetime, end: datetime
) -> Iterable[Row[Any]]:
    """One pass over each register's index from START_WINDOW before the month to its end:
    inside the month its first and last reading and every step down; before it, the newest
    START_CANDIDATES."""
    inside = (Reading.ts > start).label("inside")
    by_register = (Reading.device_id, Reading.metric, inside)
    ordered = (Reading.ts, Reading.id)
    steps = (
        select(
            Reading.id,
            Reading.device_id,
            Reading.metric,
            Reading.ts,
            Reading.value,
            Reading.received_at,
            inside,
            func.row_number().over(partition_by=by_register, order_by=ordered).label("first_n"),
            func.row_number()
            .over(partition_by=by_register, order_by=(Reading.ts.desc(), Reading.id.desc()))
            .label("last_n"),
            func.lag(Reading.value, type_=QUANTITY)
            .over(partition_by=by_register, order_by=ordered)
            .label("previous"),
        )
        .where(*_keys_match(keys), Reading.ts > start - START_WINDOW, Reading.ts <= end)
        .subquery()
    )
    wanted = or_(
        and_(steps.c.inside, (steps.c.first_n == 1) | (steps.c.last_n == 1)),
        and_(steps.c.inside, steps.c.value < steps.c.previous),
        and_(not_(steps.c.inside), steps.c.last_n <= START_CANDIDATES),
    )
    return session.execute(select(steps).where(wanted).order_by(steps.c.ts))  # drops in order


def _corrected_devices(session: Session) -> set[int]:
    """Devices with a corrected reading (人工更正, a short list): the exact path reads them."""
    return set(session.scalars(select(ReadingCorrection.device_id).distinct()))


def _reading(row: Row[Any]) -> _Point:
    return _Point(row.id, row.ts, row.value, row.received_at)
