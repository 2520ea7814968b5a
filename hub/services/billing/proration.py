"""Part months (按日折算): a monthly amount for the days of the month a home or a parking
contract was billable, amount x days / days in the month, half up to the fen."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from hub.services.billing.periods import Period
from hub.services.tariffs import round_money


@dataclass(frozen=True)
class DaySpan:
    """The days of a month something was billable, of the month's days."""

    days: int
    month_days: int

    @property
    def whole(self) -> bool:
        return self.days == self.month_days

    def text(self) -> str:
        """What a prorated line adds, e.g. " × 12/30 天 days"; nothing for a whole month."""
        return "" if self.whole else f" × {self.days}/{self.month_days} 天 days"


def days_of(month: Period) -> tuple[date, date]:
    """The month's first and last day."""
    return date(month.year, month.month, 1), date(
        month.year, month.month, calendar.monthrange(month.year, month.month)[1]
    )


def span_in(month: Period, first: date | None, last: date | None) -> DaySpan:
    """The days from `first` to `last` (both inclusive; None: open) inside `month`."""
    month_first, month_last = days_of(month)
    start = max(first or date.min, month_first)
    end = min(last or date.max, month_last)
    return DaySpan(max((end - start).days + 1, 0), month_last.day)


def prorate(amount: Decimal, span: DaySpan) -> Decimal:
    """A month's `amount` (unrounded) for the span's days, rounded once, half up."""
    return round_money(amount * span.days / span.month_days)
