"""Usage counters of an asset, counted from its devices' readings a batch at a time.

Each (asset, device, counter, metric) has a `UsageCursor`: the last reading counted and the
total so far. A pass reads only readings newer than the cursor, so a year of a pump's readings
is read once, not once a pass. A reading that arrives later than a newer one already counted
is not counted (the gateway's replays come in order). Running hours count the time from a
reading at 1 to the next reading, at most `MAX_GAP`: a device silent for longer is not taken
to have kept running. The asset's usage is the sum over its cursors, so a replaced device's
count stays with the asset.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import UsageCounter
from hub.services import assets
from hub.storage.models import Asset, Reading, UsageCursor

BATCH = 5000
MAX_GAP = timedelta(hours=1)
HOUR = Decimal(3600)


def _cursor(
    session: Session, asset_id: int, device_id: int, counter: UsageCounter, metric: str
) -> UsageCursor:
    found = session.scalars(
        select(UsageCursor).where(
            UsageCursor.asset_id == asset_id,
            UsageCursor.device_id == device_id,
            UsageCursor.counter == counter,
            UsageCursor.metric == metric,
        )
    ).one_or_none()
    if found is None:
        found = UsageCursor(
            asset_id=asset_id, device_id=device_id, counter=counter, metric=metric, total=0
        )
        session.add(found)
        session.flush()
    return found


def _step(cursor: UsageCursor, reading: Reading) -> Decimal:
    """What `reading` adds to the cursor's counter after the one it last took."""
    before, value = cursor.last_value, reading.value
    if before is None or value is None or cursor.last_ts is None:
        return Decimal(0)
    if cursor.counter is UsageCounter.RUNNING_HOURS:
        if before != 1:
            return Decimal(0)
        spent = min(reading.ts - cursor.last_ts, MAX_GAP)
        return Decimal(int(spent.total_seconds())) / HOUR
    if cursor.counter is UsageCounter.STARTS:
        return Decimal(1) if before == 0 and value == 1 else Decimal(0)
    return value - before if value >= before else value  # a counter that wrapped or was reset


def _advance(session: Session, cursor: UsageCursor) -> None:
    """Count the device's readings newer than the cursor, a batch at a time."""
    while True:
        query = select(Reading).where(
            Reading.device_id == cursor.device_id,
            Reading.metric == cursor.metric,
            Reading.value.is_not(None),
        )
        if cursor.last_ts is not None:
            query = query.where(Reading.ts > cursor.last_ts)
        batch: Sequence[Reading] = session.scalars(query.order_by(Reading.ts).limit(BATCH)).all()
        for reading in batch:
            cursor.total += _step(cursor, reading)
            cursor.last_ts, cursor.last_value = reading.ts, reading.value
        session.flush()
        if len(batch) < BATCH:
            return


def count(session: Session, asset: Asset, counter: UsageCounter, metric: str) -> Decimal:
    """The asset's usage so far, after counting its linked devices' new readings."""
    for device in assets.linked_devices(session, asset.id):
        _advance(session, _cursor(session, asset.id, device.id, counter, metric))
    cursors = session.scalars(
        select(UsageCursor).where(
            UsageCursor.asset_id == asset.id,
            UsageCursor.counter == counter,
            UsageCursor.metric == metric,
        )
    )
    return sum((c.total for c in cursors), Decimal(0))
