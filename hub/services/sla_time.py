"""Clock arithmetic for SLAs: the time a clock runs is business hours (or all of it) minus the
pauses while waiting for the owner, so a deadline skips nights, weekends, holidays and pauses."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.services.sla_policy import BusinessHours

Interval = tuple[datetime, datetime | None]  # None: still open
MAX_DAYS = 400  # a calendar with no business day this far ahead never reaches a deadline


def running(
    start: datetime, *, hours: BusinessHours | None, zone: ZoneInfo, pauses: Sequence[Interval]
) -> Iterator[Interval]:
    """The stretches from `start` on during which a clock runs, in order."""
    ordered = sorted(pauses, key=lambda pause: pause[0])
    open_pause = next((p for p, end in ordered if end is None), None)
    for begin, end in _business(start, hours, zone):
        if open_pause is not None and begin >= open_pause:
            return
        yield from _minus(begin, end, ordered)


def deadline(
    start: datetime,
    limit: timedelta,
    *,
    hours: BusinessHours | None,
    zone: ZoneInfo,
    pauses: Sequence[Interval] = (),
) -> datetime | None:
    """When `limit` of running time from `start` is used up; None while a pause holds it."""
    left = limit
    for begin, end in running(start, hours=hours, zone=zone, pauses=pauses):
        if end is None or end - begin >= left:
            return begin + left
        left -= end - begin
    return None


def used(
    start: datetime,
    until: datetime,
    *,
    hours: BusinessHours | None,
    zone: ZoneInfo,
    pauses: Sequence[Interval] = (),
) -> timedelta:
    """Running time between `start` and `until`."""
    total = timedelta(0)
    for begin, end in running(start, hours=hours, zone=zone, pauses=pauses):
        if begin >= until:
            break
        total += min(end or until, until) - begin
    return total


def _business(start: datetime, hours: BusinessHours | None, zone: ZoneInfo) -> Iterator[Interval]:
    if hours is None:
        yield start, None
        return
    weekdays = {day.number for day in hours.weekdays}
    holidays = set(hours.holidays)
    day = start.astimezone(zone).date()
    for _ in range(MAX_DAYS):
        if day.weekday() in weekdays and day not in holidays:
            opens = datetime.combine(day, hours.start, zone).astimezone(UTC)
            closes = datetime.combine(day, hours.end, zone).astimezone(UTC)
            if closes > start:
                yield max(opens, start), closes
        day += timedelta(days=1)


def _minus(begin: datetime, end: datetime | None, pauses: Sequence[Interval]) -> Iterator[Interval]:
    """[begin, end) without the pauses (sorted by start)."""
    cursor = begin
    for paused, resumed in pauses:
        if resumed is not None and resumed <= cursor:
            continue
        if end is not None and paused >= end:
            break
        if paused > cursor:
            yield cursor, paused
        if resumed is None:
            return
        cursor = max(cursor, resumed)
        if end is not None and cursor >= end:
            return
    yield cursor, end
