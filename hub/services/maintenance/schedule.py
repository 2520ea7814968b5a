"""The calendar of a plan: its n-th occurrence and the due window around it.

Occurrence n is `anchor + n * every unit`, always counted from the anchor (so a monthly plan
anchored on the 31st is due on 28 February and again on 31 March). A window opens at
`WINDOW_OPENS` local time on the occurrence's day and is due by the local midnight that ends
its `window_days`-th day.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.domain import CalendarUnit

WINDOW_OPENS = time(8, 0)  # the working morning: the roster's day shift is on


def add_months(start: date, months: int) -> date:
    """`start` moved by `months`, its day clamped to the end of a shorter month."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def occurrence(anchor: date, unit: CalendarUnit, every: int, n: int) -> date:
    """The local date of occurrence `n` (0: the anchor)."""
    if unit is CalendarUnit.MONTH:
        return add_months(anchor, n * every)
    days = every * (7 if unit is CalendarUnit.WEEK else 1)
    return anchor + timedelta(days=n * days)


def first_on_or_after(anchor: date, unit: CalendarUnit, every: int, day: date) -> int:
    """The smallest n >= 0 whose occurrence is on or after `day`."""
    if day <= anchor:
        return 0
    if unit is CalendarUnit.MONTH:
        months = (day.year - anchor.year) * 12 + day.month - anchor.month
        n = max(months // every - 1, 0)  # clamping moves a date back, never a whole step
    else:
        n = (day - anchor).days // (every * (7 if unit is CalendarUnit.WEEK else 1))
    while occurrence(anchor, unit, every, n) < day:
        n += 1
    return n


def window(day: date, window_days: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """(opens, due by) of the window starting on local `day`, as aware datetimes."""
    opens = datetime.combine(day, WINDOW_OPENS, zone)
    due_by = datetime.combine(day + timedelta(days=window_days), time(0), zone)
    return opens, due_by
