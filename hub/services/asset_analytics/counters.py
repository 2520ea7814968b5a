"""Usage counters that stopped (计数停滞): an asset in service whose linked device reports a
cumulative counter that has not risen for N days, or a `running` flag that never turned on.

Which metrics count as usage for which class of equipment is decided here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.domain import AssetClass, AssetStatus
from hub.services.asset_analytics import service_time
from hub.services.asset_analytics.intervals import intersect, total
from hub.storage.models import Asset, Device, Reading, Site

DEFAULT_DAYS = 7
RUNNING = "running"  # a 1/0 flag: the machine runs now
# cumulative counters that rise while the equipment is used, per class
COUNTERS: dict[AssetClass, tuple[str, ...]] = {
    AssetClass.ELEVATOR: ("run_hours", "starts", "trips"),
    AssetClass.WATER_PUMP: ("run_hours", "starts"),
    AssetClass.FIRE_PUMP: ("run_hours", "starts"),
    AssetClass.GENERATOR: ("run_hours", "starts"),
    AssetClass.BOILER: ("run_hours", "starts"),
    AssetClass.HVAC: ("run_hours", "starts"),
    AssetClass.ACCESS_GATE: ("cycles",),
}
# classes that run every day, so a `running` flag never on for N days means a stall
RUNS_DAILY = frozenset({AssetClass.ELEVATOR, AssetClass.WATER_PUMP, AssetClass.HVAC})


def metrics_for(asset_class: AssetClass) -> tuple[str, ...]:
    """The usage metrics watched for a class: its counters, and `running` if it runs daily."""
    flag = (RUNNING,) if asset_class in RUNS_DAILY else ()
    return COUNTERS.get(asset_class, ()) + flag


@dataclass(frozen=True)
class StalledCounter:
    asset_id: int
    asset_code: str
    asset_name: str
    asset_class: AssetClass
    device_id: int
    device_code: str
    metric: str
    value: Decimal | None  # the counter's latest value (None for `running`)
    last_rise_at: datetime | None  # when it last rose, or `running` was last on; None: never seen

    @property
    def value_text(self) -> str | None:
        """The value without the trailing zeros of its stored scale: "812", not "812.000000"."""
        return None if self.value is None else f"{self.value.normalize():f}"


def stalled(
    session: Session, *, site: Site, now: datetime, days: int = DEFAULT_DAYS
) -> list[StalledCounter]:
    """Counters of assets in service throughout the last `days` days that did not rise in them;
    a counter the device never reported is not watched."""
    since = now - timedelta(days=days)
    assets = list(
        session.scalars(
            select(Asset)
            .where(Asset.site_id == site.id, Asset.status == AssetStatus.IN_SERVICE)
            .order_by(Asset.code)
        )
    )
    timelines = service_time.timelines(session, assets, ZoneInfo(site.timezone))
    found: list[StalledCounter] = []
    for asset in assets:
        in_service = service_time.stretches(
            timelines[asset.id], frozenset({AssetStatus.IN_SERVICE}), now
        )
        if total(intersect(in_service, [(since, now)])) < now - since:
            continue  # standby or under repair for part of the window: a pause is expected
        for device in session.scalars(
            select(Device).where(Device.asset_id == asset.id).order_by(Device.code)
        ):
            for metric in metrics_for(asset.asset_class):
                found.extend(_check(session, asset, device, metric, since))
    return found


def _check(
    session: Session, asset: Asset, device: Device, metric: str, since: datetime
) -> list[StalledCounter]:
    """The counter as stalled (one row), or nothing when it rose or was never reported."""
    of = (Reading.device_id == device.id, Reading.metric == metric, Reading.value.is_not(None))
    if metric == RUNNING:
        last_on = session.scalar(select(func.max(Reading.ts)).where(*of, Reading.value > 0))
        reported = session.scalar(select(func.count(Reading.id)).where(*of))
        if not reported or (last_on is not None and last_on >= since):
            return []
        return [_row(asset, device, metric, None, last_on)]
    peak = session.scalar(select(func.max(Reading.value)).where(*of))
    if peak is None:
        return []
    before = session.scalar(select(func.max(Reading.value)).where(*of, Reading.ts < since))
    if before is None or peak > before:
        return []  # rose in the window, or first reported in it
    reached = session.scalar(select(func.min(Reading.ts)).where(*of, Reading.value >= peak))
    return [_row(asset, device, metric, peak, reached)]


def _row(
    asset: Asset, device: Device, metric: str, value: Decimal | None, at: datetime | None
) -> StalledCounter:
    return StalledCounter(
        asset.id,
        asset.code,
        asset.name,
        asset.asset_class,
        device.id,
        device.code,
        metric,
        value,
        at,
    )
