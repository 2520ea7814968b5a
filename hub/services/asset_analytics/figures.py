"""The analysis of one estate's equipment over a period: per asset, per class, the estate, by
month, and the worst assets. Rows come from SQL (the estate's assets, their status history and
their orders); the interval arithmetic is Python, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import AssetClass, AssetStatus, WorkOrderStatus
from hub.errors import InvalidInput, NotFound
from hub.services.asset_analytics import failures, service_time
from hub.services.asset_analytics.intervals import Interval
from hub.services.asset_analytics.reliability import Figures, Tally, total
from hub.services.maintenance.compliance import pm_compliance
from hub.services.maintenance_costs import maintenance_cost
from hub.services.service_analysis.figures import Estate, default_period
from hub.storage.models import Asset, Site, WorkOrder

WORST = 10
MAX_MONTHS = 60  # every month is worked out for every asset: five years at most


@dataclass(frozen=True)
class AssetRow:
    """One asset's figures, its repairs' cost and its PM compliance among them."""

    asset_id: int
    code: str
    name: str
    asset_class: AssetClass
    status: AssetStatus
    figures: Figures


@dataclass(frozen=True)
class ClassRow:
    asset_class: AssetClass
    assets: int
    figures: Figures


@dataclass(frozen=True)
class MonthRow:
    month: str  # "YYYY-MM" in the estate's zone
    figures: Figures


@dataclass(frozen=True)
class Analytics:
    start: date
    end: date  # the day after the last
    estate: Estate
    estates: list[Estate]
    timezone: str
    totals: Figures
    by_class: list[ClassRow]
    assets: list[AssetRow]
    by_month: list[MonthRow]
    worst: list[AssetRow]


def analyse(
    session: Session, *, estate_id: int | None, start: date | None, end: date | None, now: datetime
) -> Analytics:
    """The figures of [start, end) (the estate's local days; without them the last 6 months);
    the first estate when none is named."""
    default_start, default_end = default_period(now)
    start, end = start or default_start, end or default_end
    if end <= start:
        raise InvalidInput("to: must be after from", code="analysis_period")
    if len(months(start, end)) > MAX_MONTHS:
        raise InvalidInput(
            f"range: at most {MAX_MONTHS} months; 时间范围过长", code="range_too_long"
        )
    sites = list(session.scalars(select(Site).order_by(Site.id)))
    site = estate_or_first(session, estate_id)
    zone = ZoneInfo(site.timezone)
    assets = list(
        session.scalars(select(Asset).where(Asset.site_id == site.id).order_by(Asset.code))
    )
    month_windows = [
        (key, _window(first, after, zone, now)) for key, first, after in months(start, end)
    ]
    per_asset = _tallies(
        session, assets, zone, [_window(start, end, zone, now), *(w for _, w in month_windows)], now
    )
    rows = [
        AssetRow(a.id, a.code, a.name, a.asset_class, a.status, per_asset[a.id][0].figures())
        for a in assets
    ]
    classes: dict[AssetClass, list[Tally]] = defaultdict(list)
    for asset in assets:
        classes[asset.asset_class].append(per_asset[asset.id][0])
    estates = [Estate(s.id, s.code, s.name) for s in sites]
    return Analytics(
        start=start,
        end=end,
        estate=next(e for e in estates if e.id == site.id),
        estates=estates,
        timezone=site.timezone,
        totals=total([t[0] for t in per_asset.values()]).figures(),
        by_class=[
            ClassRow(c, len(classes[c]), total(classes[c]).figures())
            for c in AssetClass
            if c in classes
        ],
        assets=rows,
        by_month=[
            MonthRow(key, total([t[i + 1] for t in per_asset.values()]).figures())
            for i, (key, _) in enumerate(month_windows)
        ],
        worst=worst(rows),
    )


def estate_or_first(session: Session, estate_id: int | None) -> Site:
    """The estate named, else the first one."""
    site = (
        session.get(Site, estate_id)
        if estate_id is not None
        else session.scalars(select(Site).order_by(Site.id).limit(1)).first()
    )
    if site is None:
        raise NotFound(f"estate {estate_id} does not exist")
    return site


def worst(rows: list[AssetRow]) -> list[AssetRow]:
    """Assets that failed, most failures first, then longest down, then least available."""
    failed = [r for r in rows if r.figures.failures]
    failed.sort(
        key=lambda r: (
            -r.figures.failures,
            -r.figures.downtime_hours,
            r.figures.availability_pct or 0,
            r.code,
        )
    )
    return failed[:WORST]


def months(start: date, end: date) -> list[tuple[str, date, date]]:
    """Each month [start, end) touches: ("YYYY-MM", its first day in the period, the day after
    its last in the period)."""
    found = []
    index = start.year * 12 + start.month - 1
    while (first := max(date(index // 12, index % 12 + 1, 1), start)) < end:
        after = min(date((index + 1) // 12, (index + 1) % 12 + 1, 1), end)
        found.append((f"{first:%Y-%m}", first, after))
        index += 1
    return found


def _window(first: date, after: date, zone: ZoneInfo, now: datetime) -> Interval:
    """Local days [first, after) as UTC-aware times, cut at now (the future has no figures)."""
    since, until = (datetime.combine(day, time(), zone) for day in (first, after))
    return since, max(since, min(until, now))


def _tallies(
    session: Session, assets: list[Asset], zone: ZoneInfo, windows: list[Interval], now: datetime
) -> dict[int, list[Tally]]:
    """Each asset's tally over each window."""
    end = max(w[1] for w in windows)
    orders: dict[int, list[WorkOrder]] = defaultdict(list)
    for order in session.scalars(
        select(WorkOrder)
        .where(
            WorkOrder.asset_id.in_([a.id for a in assets]),
            WorkOrder.status != WorkOrderStatus.CANCELLED,
            WorkOrder.created_at < end,
        )
        .order_by(WorkOrder.created_at, WorkOrder.id)
    ).unique():
        assert order.asset_id is not None  # the filter
        orders[order.asset_id].append(order)
    timelines = service_time.timelines(session, assets, zone)
    upkeep = [_upkeep(session, assets[0].site_id, w) if assets else {} for w in windows]
    found = {}
    for asset in assets:
        scheduled = service_time.stretches(timelines[asset.id], service_time.SCHEDULED, end)
        found[asset.id] = [
            failures.tally(orders[asset.id], scheduled, w, now) + spent.get(asset.id, Tally())
            for w, spent in zip(windows, upkeep, strict=True)
        ]
    return found


def _upkeep(session: Session, site_id: int, window: Interval) -> dict[int, Tally]:
    """By asset, what keeping it up took in `window`: its repairs' recorded cost and its
    preventive maintenance tasks due, and done on time (hub/services/maintenance)."""
    start, end = window
    if start >= end:  # a month still to come
        return {}
    found: dict[int, Tally] = {}
    for asset_id, cost in maintenance_cost(session, site_id, start, end).items():
        found[asset_id] = Tally(cost=cost)
    for asset_id, done in pm_compliance(session, site_id, start, end).items():
        tasks = Tally(pm_due=done.due, pm_on_time=done.on_time)
        found[asset_id] = found.get(asset_id, Tally()) + tasks
    return found
