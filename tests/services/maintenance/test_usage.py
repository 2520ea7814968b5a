"""Usage plans count from the readings of the asset's devices: pump-1 (WP-1) runs 12 hours a
day, so its 500-running-hour service falls due on the 42nd day, and counting goes on from a
cursor instead of reading the readings again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import UsageCounter
from hub.services import assets
from hub.services.maintenance import usage
from hub.services.site import LoadResult
from hub.storage.models import Device, MaintenanceTask, UsageCursor
from hub.storage.readings import store_readings
from tests.support.maintenance import asset_id, dispatcher_pass, make_plan

HOUR = timedelta(hours=1)
START = datetime(2027, 1, 1, tzinfo=UTC)


def pump_day(context: HubContext, day: int, metric: str = "running") -> None:
    """pump-1's hourly readings of day `day` (0-based): running 00:00 to 12:00, then stopped."""
    with context.db.session() as session:
        pump = session.scalars(select(Device).where(Device.code == "pump-1")).one()
        first = START + day * 24 * HOUR
        rows = [
            (pump.id, metric, first + h * HOUR, Decimal(1 if h < 12 else 0), None, first)
            for h in range(24)
        ]
        store_readings(session, rows, source="test")


def test_the_pump_is_due_for_service_after_500_running_hours(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    wp1 = asset_id(context, site, "WP-1")
    plan = make_plan(
        context,
        clock,
        site,
        code="WP-500H",
        asset_id=wp1,
        trigger="usage",
        counter="running_hours",
        metric="running",
        usage_every="500",
        category="plumbing",
    )
    made_on = []
    for day in range(84):
        pump_day(context, day)
        clock.set(START + day * 24 * HOUR + 23.5 * HOUR)
        if dispatcher_pass(context, clock)[0]:
            made_on.append(day)
    # 12 h a day: 492 h after day 41 (index 40), 504 h after day 42; 1,008 h after day 84
    assert made_on == [41, 83]
    with context.db.session() as session:
        tasks = session.scalars(
            select(MaintenanceTask)
            .where(MaintenanceTask.plan_id == plan)
            .order_by(MaintenanceTask.sequence)
        ).all()
        assert [t.sequence for t in tasks] == [1, 2]
        assert tasks[0].window_start == START + 41 * 24 * HOUR + 23.5 * HOUR
        [cursor] = session.scalars(select(UsageCursor)).all()
        assert cursor.total == Decimal(84 * 12)
        assert cursor.last_ts == START + 83 * 24 * HOUR + 23 * HOUR
    assert dispatcher_pass(context, clock) == (0, 0, 0)


def test_starts_and_a_cumulative_counter_are_counted_from_the_cursor_on(
    context: HubContext, site: LoadResult
) -> None:
    pump_day(context, 0)
    pump_day(context, 1)
    with context.db.session() as session:
        wp1 = assets.get_or_raise(session, asset_id(context, site, "WP-1"))
        # 0 -> 1 once: at midnight of day 2 (the first reading has no "before")
        assert usage.count(session, wp1, UsageCounter.STARTS, "running") == 1
        pump = session.scalars(select(Device).where(Device.code == "pump-1")).one()
        values = ["10", "12.5", "15", "3", "4"]  # reset to 0 after 15
        rows = [
            (pump.id, "energy_kwh", START + i * HOUR, Decimal(v), None, START)
            for i, v in enumerate(values)
        ]
        store_readings(session, rows, source="test")
        assert usage.count(session, wp1, UsageCounter.COUNTER, "energy_kwh") == Decimal("9")
        assert usage.count(session, wp1, UsageCounter.COUNTER, "energy_kwh") == Decimal("9")
    pump_day(context, 2)
    with context.db.session() as session:
        wp1 = assets.get_or_raise(session, wp1.id)
        assert usage.count(session, wp1, UsageCounter.STARTS, "running") == 2
        assert usage.count(session, wp1, UsageCounter.RUNNING_HOURS, "running") == 36
