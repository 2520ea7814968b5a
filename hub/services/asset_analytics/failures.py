"""One asset's failures over a window: which orders count, their repair intervals, the union of
those intervals inside the asset's scheduled time (downtime) and the repeats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from hub.services.asset_analytics.intervals import Interval, intersect, total, union
from hub.services.asset_analytics.reliability import Tally
from hub.storage.models import WorkOrder

REPEAT_WITHIN = timedelta(days=30)


def repair_interval(order: WorkOrder, now: datetime) -> Interval:
    """From opening to completion; an order still open runs until now."""
    return (order.created_at, order.completed_at or now)


def is_repeat(order: WorkOrder, previous: WorkOrder | None) -> bool:
    """Opened within 30 days after the previous failure on the asset was completed."""
    if previous is None or previous.completed_at is None:
        return False
    return timedelta() <= order.created_at - previous.completed_at <= REPEAT_WITHIN


def tally(
    orders: Sequence[WorkOrder], scheduled: Sequence[Interval], window: Interval, now: datetime
) -> Tally:
    """The asset's tally over `window` (already cut at now): `orders` are all its failures ever
    opened before the window's end, oldest first; `scheduled` its scheduled stretches."""
    start, end = window
    meant = intersect(union(scheduled), [window])
    down = intersect(union(repair_interval(o, now) for o in orders), meant)
    counted = [(i, o) for i, o in enumerate(orders) if start <= o.created_at < end]
    return Tally(
        failures=len(counted),
        repeat_failures=sum(1 for i, o in counted if is_repeat(o, orders[i - 1] if i else None)),
        scheduled=total(meant),
        downtime=total(down),
        repair_times=tuple(
            o.completed_at - o.created_at for _, o in counted if o.completed_at is not None
        ),
    )
