"""Each order's SLA clocks (rules/sla.yaml): met and missed, paused while waiting for the owner,
and running only in business hours where a policy says so (nights, weekends, holidays skipped).

The expected times are worked out by hand from the default file: accept 30 min from submission,
contact 30 min and arrive 2 h from assignment, complete 1 day from acceptance; landscaping runs
in business hours, Monday to Friday 09:00-18:00 Asia/Shanghai (UTC+8)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import pytest

from hub.clock import FakeClock
from hub.context import HubContext
from hub.errors import ConfigError
from hub.runner import ApiServer, hub_parts
from hub.services import sla_policy, work_orders
from hub.services.site import LoadResult
from hub.services.work_order_views import WorkOrderOut
from hub.storage.models import WorkOrder
from tests.support.work_orders import dispatch, open_order, staff

MINUTE = timedelta(minutes=1)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def shown(context: HubContext, clock: FakeClock, order_id: int) -> WorkOrderOut:
    with context.db.session() as session:
        order = session.get(WorkOrder, order_id)
        assert order is not None
        return WorkOrderOut.of(order, now=clock.now())


def by_name(out: WorkOrderOut) -> dict[str, tuple[datetime | None, bool]]:
    """Each clock's deadline and whether it is breached."""
    return {c.name.value: (c.due_at, c.breached) for c in out.clocks}


def test_each_deadline_met_and_missed(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    t0 = clock.now()  # 2026-11-10 02:00 UTC
    order_id = open_order(context, clock, site, category="plumbing")
    tech, service = staff(context, "tech"), staff(context, "service")
    first = shown(context, clock, order_id)
    assert first.accept_by == first.due_at == t0 + 30 * MINUTE
    assert by_name(first)["contact"] == (None, False)  # counts from an assignment to come
    clock.advance(29 * MINUTE)
    with context.db.session() as session:
        work_orders.accept(session, order_id, by=service, now=clock.now())  # met: 1 min to spare
    clock.advance(MINUTE)
    with context.db.session() as session:
        work_orders.assign(session, order_id, technician_id=tech.id, by=service, now=clock.now())
    assigned = t0 + 30 * MINUTE
    assert shown(context, clock, order_id).due_at == assigned + 30 * MINUTE  # contact, earliest
    clock.advance(31 * MINUTE)  # contact missed by a minute
    assert by_name(shown(context, clock, order_id))["contact"] == (assigned + 30 * MINUTE, True)
    with context.db.session() as session:
        work_orders.contact_owner(
            session, order_id, note="约 11 点 at 11", by=tech, now=clock.now()
        )
        work_orders.start(session, order_id, by=tech, now=clock.now())
    clock.advance(88 * MINUTE)  # on site 1 h 59 min after the assignment: met
    with context.db.session() as session:
        work_orders.arrive(session, order_id, by=tech, now=clock.now())
    clock.advance(timedelta(days=1))  # completed past a day from acceptance: missed
    with context.db.session() as session:
        work_orders.complete(session, order_id, report="换阀门 new valve", by=tech, now=clock.now())
    done = shown(context, clock, order_id)
    assert by_name(done) == {
        "accept": (t0 + 30 * MINUTE, False),
        "contact": (assigned + 30 * MINUTE, True),
        "arrive": (assigned + 120 * MINUTE, False),
        "complete": (t0 + 29 * MINUTE + timedelta(days=1), True),
    }
    assert [c.met_at for c in done.clocks] == [
        t0 + 29 * MINUTE,
        assigned + 31 * MINUTE,
        assigned + 119 * MINUTE,
        assigned + 119 * MINUTE + timedelta(days=1),
    ]
    assert done.due_at is None  # nothing runs on a completed order


def test_waiting_for_the_owner_stops_the_clocks(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    t0 = clock.now()
    order_id = open_order(context, clock, site, category="plumbing")
    tech = dispatch(context, clock, order_id)
    clock.advance(10 * MINUTE)
    with context.db.session() as session:
        work_orders.pause(session, order_id, note="业主出差 owner away", by=tech, now=clock.now())
    clock.advance(3 * 60 * MINUTE)
    paused = shown(context, clock, order_id)
    assert paused.paused and paused.due_at is None
    contact = paused.clocks[1]
    assert (contact.paused, contact.due_at, contact.breached) == (True, None, False)
    assert contact.left_seconds == 20 * 60  # 30 min limit, 10 used before the pause
    assert paused.paused_seconds == 3 * 60 * 60
    with context.db.session() as session:
        work_orders.resume(session, order_id, by=tech, now=clock.now())
    resumed = shown(context, clock, order_id)
    assert not resumed.paused and resumed.paused_seconds == 3 * 60 * 60
    assert resumed.due_at == t0 + 3 * 60 * MINUTE + 30 * MINUTE  # contact: 20 min after resuming
    assert by_name(resumed)["complete"][0] == t0 + timedelta(days=1, hours=3)
    with context.db.session() as session:
        order = session.get(WorkOrder, order_id)
        assert order is not None
        notes = [e.note for e in work_orders.history(session, order)][-2:]
    assert notes == [
        "等待业主，计时暂停 Waiting for the owner, clocks paused: 业主出差 owner away",
        "恢复计时，暂停 180 分钟 Clocks running again after 180 min",
    ]


def test_business_hours_skip_the_night(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    clock.advance(utc(2026, 11, 10, 9, 50) - clock.now())  # Tuesday 17:50 in Shanghai
    order_id = open_order(context, clock, site, category="landscaping")
    # 10 min until 18:00, the other 20 from 09:00 on Wednesday: 09:20 = 01:20 UTC
    assert shown(context, clock, order_id).accept_by == utc(2026, 11, 11, 1, 20)
    plumbing = open_order(
        context, clock, site, category="plumbing"
    )  # no business hours: 30 min flat
    assert shown(context, clock, plumbing).accept_by == utc(2026, 11, 10, 10, 20)


def test_business_hours_skip_a_holiday_and_the_weekend(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    path = context.settings.sla_file
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("holidays: [", "holidays: [2026-11-11, "), encoding="utf-8")
    clock.advance(utc(2026, 11, 10, 9, 50) - clock.now())  # Tuesday 17:50; Wednesday is off
    tuesday = open_order(context, clock, site, category="landscaping")
    assert shown(context, clock, tuesday).accept_by == utc(2026, 11, 12, 1, 20)  # Thu 09:20
    clock.advance(utc(2026, 11, 13, 9, 45) - clock.now())  # Friday 17:45
    friday = open_order(context, clock, site, category="landscaping")
    assert shown(context, clock, friday).accept_by == utc(2026, 11, 16, 1, 15)  # Mon 09:15


@pytest.mark.parametrize(
    ("change", "code", "where"),
    [
        (("accept: 30m, contact", "accept: 30 minutes, contact"), "sla_field", "policies.0"),
        (
            ('priority: "*"\n    limits: {accept: 30m', "priority: high\n    limits: {accept: 30m"),
            "sla_no_default",
            "policies",
        ),
        (("category: landscaping", 'category: "*"'), "sla_duplicate", "policies.2"),
        (('from: "09:00"', 'from: "19:00"'), "sla_hours", "business_hours"),
        (("timezone: Asia/Shanghai", "timezone: Mars/Olympus"), "sla_timezone", "timezone"),
        (("version: 1", "version: 1\npolicies: ["), "sla_yaml", "(file)"),
        (("2027-01-01", "2027-02-30"), "sla_yaml", "(file)"),
        (("timezone: Asia/Shanghai", "timezone: America"), "sla_timezone", "timezone"),
        (("complete: 3d", "complete: 999999999d"), "sla_field", "policies.2.limits.complete"),
        (("complete: 3d", "complete: 366d"), "sla_field", "policies.2.limits.complete"),
        (("manager_after: 4h", "manager_after: 240"), "sla_field", "policies.2.manager_after"),
        (("key: quality", "key: attitude"), "sla_survey_duplicate", "survey.questions.1"),
        (("remind_after: 1d", "remind_after: 7d"), "sla_survey_remind", "survey.remind_after"),
        (("kind: text", "kind: stars"), "sla_field", "survey.questions"),
        (("close_after: 7d", "close_after: soon"), "sla_field", "survey.close_after"),
    ],
)
def test_a_bad_sla_text_names_each_problem_with_its_code(
    hub_env: Path, change: tuple[str, str], code: str, where: str
) -> None:
    good = Path(sla_policy.__file__).parents[2].joinpath("rules", "sla.yaml").read_text("utf-8")
    assert change[0] in good
    spec, problems = sla_policy.parse(good.replace(change[0], change[1], 1))
    assert spec is None
    assert [(p.code, p.where.startswith(where)) for p in problems] == [(code, True)]
    with pytest.raises(ConfigError) as refused:
        sla_policy.parse_or_raise(good.replace(change[0], change[1], 1), source="sla.yaml")
    assert refused.value.code == "sla_invalid" and f"({code})" in str(refused.value)


def test_a_file_gone_bad_on_disk_keeps_the_last_good_policy(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    order_id = open_order(context, clock, site, category="plumbing")
    path = context.settings.sla_file
    path.write_text(path.read_text("utf-8").replace("accept: 30m", "accept: 45m"), "utf-8")
    assert shown(context, clock, order_id).accept_by == clock.now() + 45 * MINUTE
    path.write_text("policies: [oops", "utf-8")
    assert shown(context, clock, order_id).accept_by == clock.now() + 45 * MINUTE


def test_the_hub_refuses_to_start_with_a_bad_sla_file(context: HubContext) -> None:
    context.settings.sla_file.write_text("version: 1\npolicies: []\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        hub_parts(context, "mqtt://unused", cast(ApiServer, None), asyncio.Event())
    assert refused.value.code == "sla_invalid"
    assert str(refused.value).startswith("sla.yaml: policies: ")
