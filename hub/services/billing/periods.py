"""Billing periods: calendar months in the site's timezone."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hub.errors import InvalidInput

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Period:
    """A calendar month, "YYYY-MM"."""

    text: str
    year: int
    month: int

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """First instant of the month and of the next month, in `timezone`, as aware times."""
        zone = ZoneInfo(timezone)
        start = datetime(self.year, self.month, 1, tzinfo=zone)
        year, month = (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)
        return start, datetime(year, month, 1, tzinfo=zone)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    def shifted(self, months: int) -> Period:
        """The month `months` later (earlier when negative)."""
        index = self.year * 12 + self.month - 1 + months
        year, month = divmod(index, 12)
        return Period(f"{year:04d}-{month + 1:02d}", year, month + 1)


def period_containing(ts: datetime, timezone: str) -> Period:
    """The month a reading at `ts` ends or lies in: the first instant of a month is the end of
    the month before (a reading at midnight on the 1st is that month's end reading)."""
    local = (ts - timedelta(microseconds=1)).astimezone(ZoneInfo(timezone))
    return Period(f"{local.year:04d}-{local.month:02d}", local.year, local.month)


def parse_period(text: str) -> Period:
    match = _PERIOD.match(text)
    if match is None:
        raise InvalidInput(f"period {text!r}: write the month as YYYY-MM, e.g. 2026-10")
    return Period(text, int(match.group(1)), int(match.group(2)))
