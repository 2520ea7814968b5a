"""When an asset was meant to run: from the day it existed, the stretches its status was in
service or under repair (not standby, not retired), rebuilt from the ledger's history of its
`status` field (设施台账 变更记录)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import AssetStatus
from hub.services.asset_analytics.intervals import Interval
from hub.storage.models import Asset, AssetChange

SCHEDULED = frozenset({AssetStatus.IN_SERVICE, AssetStatus.UNDER_REPAIR})

Timeline = list[tuple[datetime, AssetStatus]]  # from when, which status; oldest first


def existed_from(asset: Asset, zone: ZoneInfo) -> datetime:
    """The install day's start in the estate's zone, else when it entered the ledger."""
    if asset.install_date is None:
        return asset.created_at
    return datetime.combine(asset.install_date, time(), zone)


def timelines(session: Session, assets: Sequence[Asset], zone: ZoneInfo) -> dict[int, Timeline]:
    """Each asset's status from the day it existed: before its first recorded status change it
    had that change's old value, else its status now."""
    changes: dict[int, list[AssetChange]] = defaultdict(list)
    for change in session.scalars(
        select(AssetChange)
        .where(AssetChange.asset_id.in_([a.id for a in assets]), AssetChange.field == "status")
        .order_by(AssetChange.at, AssetChange.id)
    ):
        changes[change.asset_id].append(change)
    found: dict[int, Timeline] = {}
    for asset in assets:
        rows = changes[asset.id]
        first = AssetStatus(rows[0].old) if rows else asset.status
        found[asset.id] = [
            (existed_from(asset, zone), first),
            *((row.at, AssetStatus(row.new)) for row in rows),
        ]
    return found


def stretches(
    timeline: Timeline, statuses: frozenset[AssetStatus], end: datetime
) -> list[Interval]:
    """The intervals up to `end` in which the status was one of `statuses`."""
    found: list[Interval] = []
    start = timeline[0][0]
    for index, (since, status) in enumerate(timeline):
        until = timeline[index + 1][0] if index + 1 < len(timeline) else end
        since, until = max(since, start), min(until, end)  # a change before it existed
        if status in statuses and since < until:
            found.append((since, until))
    return found
