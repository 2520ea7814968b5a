"""设备故障分析 Equipment failure analytics (issue 13): how often each asset fails, how long it
is down, and which usage counters stopped.

The definitions, for a period [from, to) of the estate's local days, cut at now:

- failure: a work order naming the asset (`asset_id`), not cancelled, opened in the period.
- repair interval: an order's opening to its completion; one still open runs until now.
- scheduled time: the part of the period in which the asset existed (from its install date,
  else from when it entered the ledger) with status in service or under repair; standby and
  retired stretches are left out. The status history comes from the ledger's change rows.
- downtime: the union of all repair intervals (orders opened before the period too) inside the
  scheduled time, so overlapping orders count once.
- operating time: scheduled time minus downtime.
- MTBF: operating time / failures (none without failures).
- MTTR: the mean repair interval of the period's failures already completed.
- failure rate: failures per 1,000 operating hours, and per month (30 days of operating time).
- availability: operating time / scheduled time, i.e. 1 - downtime / scheduled time.
- repeat failure: a failure opened within 30 days after the completion of the asset's previous
  failure (the one opened just before it).
- worst assets: those that failed, by failures, then downtime, then availability.

A class's or the estate's figures add up their assets' times and counts before dividing.
docs/maintenance.md works an example through by hand.
"""

from hub.services.asset_analytics.counters import (
    COUNTERS,
    DEFAULT_DAYS,
    StalledCounter,
    metrics_for,
    stalled,
)
from hub.services.asset_analytics.figures import (
    Analytics,
    AssetRow,
    ClassRow,
    MonthRow,
    analyse,
    estate_or_first,
)
from hub.services.asset_analytics.reliability import Figures

__all__ = [
    "COUNTERS",
    "DEFAULT_DAYS",
    "Analytics",
    "AssetRow",
    "ClassRow",
    "Figures",
    "MonthRow",
    "StalledCounter",
    "analyse",
    "estate_or_first",
    "metrics_for",
    "stalled",
]
