"""A year of calendar maintenance on the sample estate, one dispatcher pass a day: elevators
every 15 days (TSG T5002), the fire alarm panel monthly (anchored on the 31st) and yearly;
each task reminded once when its window opens and escalated once when overdue."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.dispatcher import Dispatcher
from hub.domain import CalendarUnit
from hub.services.maintenance import schedule
from hub.services.site import LoadResult
from hub.storage.models import MaintenanceTask, OutboxMessage, User
from tests.support.maintenance import asset_id, dispatcher_pass, make_plan, on_duty_all_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("anchor", "unit", "every", "n", "expected"),
    [
        (date(2027, 1, 31), CalendarUnit.MONTH, 1, 1, date(2027, 2, 28)),
        (date(2027, 1, 31), CalendarUnit.MONTH, 1, 2, date(2027, 3, 31)),
        (date(2028, 1, 31), CalendarUnit.MONTH, 1, 1, date(2028, 2, 29)),
        (date(2027, 12, 15), CalendarUnit.MONTH, 12, 1, date(2028, 12, 15)),
        (date(2027, 1, 1), CalendarUnit.DAY, 15, 24, date(2027, 12, 27)),
        (date(2027, 1, 4), CalendarUnit.WEEK, 2, 3, date(2027, 2, 15)),
    ],
)
def test_occurrences_step_from_the_anchor_and_clamp_to_the_month_end(
    anchor: date, unit: CalendarUnit, every: int, n: int, expected: date
) -> None:
    assert schedule.occurrence(anchor, unit, every, n) == expected
    assert schedule.first_on_or_after(anchor, unit, every, expected) == n
    assert schedule.first_on_or_after(anchor, unit, every, expected + DAY) == n + 1


def test_a_window_opens_at_eight_and_is_due_by_the_midnight_ending_its_last_day() -> None:
    opens, due_by = schedule.window(date(2027, 1, 1), 3, SHANGHAI)
    assert opens == datetime(2027, 1, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    assert due_by == datetime(2027, 1, 3, 16, 0, tzinfo=UTC)  # 4 Jan 00:00 in Shanghai


def local_days(context: HubContext, plan_id: int, code: str, site: LoadResult) -> list[date]:
    with context.db.session() as session:
        starts = session.scalars(
            select(MaintenanceTask.window_start)
            .where(
                MaintenanceTask.plan_id == plan_id,
                MaintenanceTask.asset_id == asset_id(context, site, code),
            )
            .order_by(MaintenanceTask.sequence)
        ).all()
        return [s.astimezone(SHANGHAI).date() for s in starts]


def test_a_year_of_daily_passes_makes_each_task_once_reminds_once_escalates_once(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    on_duty_all_day(context, site, "elevator", "tech")
    elevators = make_plan(
        context,
        clock,
        site,
        code="EL-15D",
        asset_class="elevator",
        every=15,
        unit="day",
        anchor="2027-01-01",
        lead_days=7,
        window_days=3,
    )
    monthly = make_plan(
        context,
        clock,
        site,
        code="FAP-M",
        asset_id=asset_id(context, site, "FAP-1"),
        every=1,
        unit="month",
        anchor="2027-01-31",
        category="fire",
    )
    yearly = make_plan(
        context,
        clock,
        site,
        code="FAP-Y",
        asset_id=asset_id(context, site, "FAP-1"),
        every=12,
        unit="month",
        anchor="2027-03-15",
        category="fire",
        window_days=14,
    )
    clock.set(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))  # 10:00 in Shanghai, every day
    last_pass = datetime(2027, 12, 31, 2, 0, tzinfo=UTC)
    while clock.now() <= last_pass:
        dispatcher_pass(context, clock)
        clock.advance(DAY)
    clock.set(last_pass)
    assert dispatcher_pass(context, clock) == (0, 0, 0)  # again at the same moment: nothing

    every_15 = [date(2027, 1, 1) + timedelta(days=15 * k) for k in range(25)]
    assert local_days(context, elevators, "EL-B1-1", site) == every_15
    assert local_days(context, elevators, "EL-B2-1", site) == every_15
    assert every_15[-1] == date(2027, 12, 27)  # the next, 11 Jan 2028, is made on 4 Jan
    month_ends = [date(2027, 1, 31), date(2027, 2, 28)] + [
        date(2027, m, 31 if m in (3, 5, 7, 8, 10, 12) else 30) for m in range(3, 13)
    ]
    assert local_days(context, monthly, "FAP-1", site) == month_ends
    assert local_days(context, yearly, "FAP-1", site) == [date(2027, 3, 15)]

    with context.db.session() as session:
        tasks = session.scalars(select(MaintenanceTask)).all()
        assert len(tasks) == 25 * 2 + 12 + 1
        tech = session.scalars(select(User).where(User.username == "tech")).one()
        assert {t.assignee_id for t in tasks if t.plan_id == elevators} == {tech.id}
        assert {t.assignee_id for t in tasks if t.plan_id != elevators} == {None}  # no roster
        assert all(t.reminded_at is not None for t in tasks)  # each window opened by 31 Dec
        overdue = [t for t in tasks if t.due_by <= last_pass]
        assert all(t.escalated_at is not None for t in overdue)
        assert len(overdue) == 25 * 2 + 11 + 1  # December's panel task is due 3 Jan
        titles = session.scalars(
            select(OutboxMessage.title).where(OutboxMessage.source == "maintenance")
        ).all()
        by_title = Counter(title[:4] for title in titles)
    # reminders: the elevators' to tech, the panel's (unassigned) to admin and operator
    assert by_title["保养任务"] == 50 + 13 * 2
    assert by_title["保养逾期"] == len(overdue) * 2  # admin and operator, once each


def test_the_first_task_is_the_first_window_still_open_and_none_is_made_twice(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    """A plan anchored long ago starts with the window open now, not with the past."""
    clock.set(datetime(2027, 6, 10, 2, 0, tzinfo=UTC))
    plan = make_plan(
        context,
        clock,
        site,
        code="EL-OLD",
        asset_id=asset_id(context, site, "EL-B1-1"),
        every=15,
        unit="day",
        anchor="2020-01-01",
        lead_days=0,
        window_days=3,
    )
    assert dispatcher_pass(context, clock)[0] == 1
    assert dispatcher_pass(context, clock) == (0, 0, 0)
    [day] = local_days(context, plan, "EL-B1-1", site)
    assert day <= date(2027, 6, 10) < day + timedelta(days=3)
    assert (day - date(2020, 1, 1)).days % 15 == 0


def test_the_dispatcher_runs_maintenance_every_ten_minutes(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    """Windows open by the day: the dispatcher looks for new tasks on its first pass, then
    once every 10 minutes, not on each 1 s pass."""
    dispatcher = Dispatcher(context, "mqtt://127.0.0.1:1")  # no commands: never connects
    fields = {"asset_id": asset_id(context, site, "EL-B1-1"), "every": 15, "unit": "day"}
    today = "2026-11-10"  # 10:00 in Shanghai: today's window opened at 08:00
    make_plan(context, clock, site, code="A", anchor=today, lead_days=0, **fields)
    asyncio.run(dispatcher.run_once())
    make_plan(context, clock, site, code="B", anchor=today, lead_days=0, **fields)
    clock.advance(timedelta(minutes=9))
    asyncio.run(dispatcher.run_once())
    with context.db.session() as session:
        [first] = session.scalars(select(MaintenanceTask)).all()
        assert first.reminded_at == clock.now() - timedelta(minutes=9)
    clock.advance(timedelta(minutes=1))
    asyncio.run(dispatcher.run_once())
    with context.db.session() as session:
        assert len(session.scalars(select(MaintenanceTask)).all()) == 2
