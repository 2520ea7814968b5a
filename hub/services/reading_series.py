"""A device's readings over a time range, cut into equal buckets for a chart.

The database does the bucketing (one GROUP BY on an integer epoch expression), so a month of
one-minute readings comes back as at most `MAX_BUCKETS` rows per metric. Each bucket keeps min,
max, count and the exact sum; the mean is worked out here in Decimal, because SQLite's AVG is a
float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.errors import BadRange, InvalidInput
from hub.storage.models import Reading
from hub.storage.sql import epoch_seconds

MAX_RANGE = timedelta(days=366)
MAX_BUCKETS = 1000
MEAN_PLACES = Decimal("0.000001")  # the readings' own scale (QUANTITY)


@dataclass(frozen=True)
class Bucket:
    start: datetime
    min: Decimal
    max: Decimal
    mean: Decimal
    count: int


@dataclass(frozen=True)
class Range:
    """[start, end) cut into `buckets` buckets of `width` whole seconds (the last may end past
    `end`: the width is rounded up so every bucket has the same)."""

    start: datetime
    end: datetime
    buckets: int

    @property
    def width(self) -> int:
        span = int((self.end - self.start).total_seconds())
        return max(1, -(-span // self.buckets))


def checked_range(
    start: datetime | None, end: datetime, buckets: int, *, hours: int | None = None
) -> Range:
    """The range asked for (`start`, or `hours` back from `end`, 24 if neither), or a coded 422
    saying what is wrong with it."""
    if start is not None and hours is not None:
        raise InvalidInput("hours: give `from` or `hours`, not both; 起始时间与时长只填一项")
    try:
        start = start or end - timedelta(hours=hours or 24)
    except OverflowError:  # hours before the first day of the calendar
        raise BadRange from None
    if end <= start:
        raise BadRange
    if end - start > MAX_RANGE:
        raise InvalidInput(
            f"range: at most {MAX_RANGE.days} days; 时间范围过长", code="range_too_long"
        )
    if not 1 <= buckets <= MAX_BUCKETS:
        raise InvalidInput(f"buckets: 1 to {MAX_BUCKETS}", code="invalid_input")
    return Range(start, end, buckets)


def bucketed(
    session: Session, device_id: int, where: Range, *, metric: str | None = None
) -> dict[str, list[Bucket]]:
    """Numeric readings in the range by metric, one `Bucket` per bucket that has readings,
    oldest first; empty buckets are left out (a chart shows the gap)."""
    width = where.width
    offset = epoch_seconds(session, Reading.ts) - int(where.start.timestamp())
    index = (offset // width).label("bucket")
    query = (
        select(
            Reading.metric,
            index,
            func.min(Reading.value),
            func.max(Reading.value),
            func.sum(Reading.value),
            func.count(Reading.value),
        )
        .where(
            Reading.device_id == device_id,
            Reading.ts >= where.start,
            Reading.ts < where.end,
            Reading.value.is_not(None),
        )
        .group_by(Reading.metric, index)
        .order_by(Reading.metric, index)
    )
    if metric is not None:
        query = query.where(Reading.metric == metric)
    series: dict[str, list[Bucket]] = {}
    for name, number, low, high, total, count in session.execute(query):
        assert low is not None and high is not None and total is not None  # values only
        mean = (total / count).quantize(MEAN_PLACES, ROUND_HALF_EVEN)
        start = where.start + timedelta(seconds=int(number) * width)
        series.setdefault(name, []).append(Bucket(start, low, high, mean, count))
    return series
