"""The reliability figures of one asset, a class, the estate or a month, from raw sums: sums add
up over assets first and are divided only at the end, so a class's MTBF is its operating time
over its failures, not a mean of its assets' MTBFs. Definitions: the package's docstring."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from hub.services.service_analysis.stats import AVERAGE_PLACES, PERCENT_PLACES, rounded

HOUR = timedelta(hours=1)
MONTH = timedelta(days=30)  # "per month" is per 30 days of operating time
_MICRO = timedelta(microseconds=1)


@dataclass(frozen=True)
class Figures:
    failures: int
    repeat_failures: int
    scheduled_hours: float  # meant to run: existing, not standby or retired
    downtime_hours: float
    operating_hours: float  # scheduled minus downtime
    repairs_completed: int  # the MTTR's sample
    mtbf_hours: float | None
    mttr_hours: float | None
    failures_per_1000_hours: float | None
    failures_per_month: float | None
    availability_pct: float | None
    maintenance_cost: Decimal  # the maintenance records of repairs completed in the period
    pm_due: int  # preventive maintenance tasks due in the period (cancelled ones left out)
    pm_on_time: int  # of those, done by their due time
    pm_compliance_pct: float | None  # on time / due; None: nothing was due


@dataclass(frozen=True)
class Tally:
    """What figures are made of; `+` adds two assets' (or two months') tallies."""

    failures: int = 0
    repeat_failures: int = 0
    scheduled: timedelta = timedelta()
    downtime: timedelta = timedelta()
    repair_times: tuple[timedelta, ...] = field(default=())
    cost: Decimal = Decimal("0.00")
    pm_due: int = 0
    pm_on_time: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.failures + other.failures,
            self.repeat_failures + other.repeat_failures,
            self.scheduled + other.scheduled,
            self.downtime + other.downtime,
            self.repair_times + other.repair_times,
            self.cost + other.cost,
            self.pm_due + other.pm_due,
            self.pm_on_time + other.pm_on_time,
        )

    def figures(self) -> Figures:
        operating = self.scheduled - self.downtime
        up = _micro(operating)
        repaired = sum(self.repair_times, timedelta())
        return Figures(
            failures=self.failures,
            repeat_failures=self.repeat_failures,
            scheduled_hours=_hours(self.scheduled),
            downtime_hours=_hours(self.downtime),
            operating_hours=_hours(operating),
            repairs_completed=len(self.repair_times),
            mtbf_hours=_per(up, self.failures * _micro(HOUR)) if self.failures else None,
            mttr_hours=_per(_micro(repaired), len(self.repair_times) * _micro(HOUR)),
            failures_per_1000_hours=_rate(self.failures * 1000 * _micro(HOUR), up),
            failures_per_month=_rate(self.failures * _micro(MONTH), up),
            availability_pct=_rate(100 * up, _micro(self.scheduled)),
            maintenance_cost=self.cost,
            pm_due=self.pm_due,
            pm_on_time=self.pm_on_time,
            pm_compliance_pct=rounded(100 * self.pm_on_time, self.pm_due, PERCENT_PLACES),
        )


def total(tallies: list[Tally]) -> Tally:
    return sum(tallies, Tally())


def _micro(span: timedelta) -> int:
    return span // _MICRO


def _hours(span: timedelta) -> float:
    value = rounded(_micro(span), _micro(HOUR), PERCENT_PLACES)
    assert value is not None  # an hour is not zero
    return value


def _per(numerator: int, denominator: int) -> float | None:
    """Hours to 1 place."""
    return rounded(numerator, denominator, PERCENT_PLACES)


def _rate(numerator: int, denominator: int) -> float | None:
    """Rates and availability to 2 places; none without operating time."""
    return rounded(numerator, denominator, AVERAGE_PLACES)
