"""The technician completes a task with its checklist: a value outside its limits opens one
fault work order on the asset, naming the task and item; only the assignee may do the steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import MaintenanceTaskStatus, Role
from hub.errors import InvalidInput, InvalidTransition, NotFound
from hub.services.maintenance import faults, tasks
from hub.services.maintenance.tasks import ItemResult
from hub.services.site import LoadResult
from hub.services.uploads import Photo
from hub.storage.models import MaintenanceTask, User, WorkOrder
from tests.support.maintenance import asset_id, dispatcher_pass, make_plan, on_duty_all_day
from tests.support.work_orders import staff

CHECKLIST = [
    {"label": "门锁回路 Door lock circuit"},
    {
        "label": "制动器间隙 Brake gap",
        "kind": "measure",
        "unit": "mm",
        "min": "0.5",
        "max": "1.0",
        "photo_required": True,
    },
]


@pytest.fixture
def task_id(context: HubContext, site: LoadResult, clock: FakeClock) -> int:
    """A scheduled elevator task of EL-B1-1, assigned to `tech` from the roster."""
    on_duty_all_day(context, site, "elevator", "tech")
    clock.set(datetime(2027, 1, 1, 2, 0, tzinfo=UTC))
    make_plan(
        context,
        clock,
        site,
        code="EL-15D",
        asset_id=asset_id(context, site, "EL-B1-1"),
        every=15,
        unit="day",
        anchor="2027-01-01",
        checklist=CHECKLIST,
    )
    assert dispatcher_pass(context, clock)[0] == 1
    with context.db.session() as session:
        return session.scalars(select(MaintenanceTask.id)).one()


def other_technician(context: HubContext, clock: FakeClock) -> User:
    with context.db.session() as session:
        other = User(
            username="tech2",
            full_name="维修工2 Technician 2",
            role=Role.TECHNICIAN,
            password_hash="",
            created_at=clock.now(),
        )
        session.add(other)
        session.flush()
        session.expunge(other)
        return other


def test_a_value_outside_its_limits_opens_one_fault_order_on_the_asset(
    context: HubContext, site: LoadResult, clock: FakeClock, task_id: int
) -> None:
    tech = staff(context, "tech")
    with context.db.session() as session:
        tasks.start(session, task_id, by=tech, now=clock.now())
        with pytest.raises(InvalidInput) as missing:
            tasks.complete(
                session,
                task_id,
                [ItemResult(1, passed=True), ItemResult(2, value=Decimal("1.3"))],
                by=tech,
                now=clock.now(),
            )
        assert missing.value.code == "pm_photo_missing"
    with context.db.session() as session:
        tasks.attach_photo(session, task_id, 2, Photo(b"jpeg", "gap.jpg"), by=tech, now=clock.now())
    clock.advance(timedelta(hours=2))
    with context.db.session() as session:
        done = tasks.complete(
            session,
            task_id,
            [ItemResult(1, passed=True), ItemResult(2, value=Decimal("1.3"), note="偏大")],
            note="例行保养 Routine",
            by=tech,
            now=clock.now(),
        )
        assert done.status is MaintenanceTaskStatus.DONE
        assert not tasks.done_late(done)
        lock, gap = done.items
        assert (lock.passed, lock.work_order_id) == (True, None)
        assert (gap.passed, gap.value, gap.photo_name) == (False, Decimal("1.3"), "gap.jpg")
        [order] = session.scalars(select(WorkOrder)).all()
        assert gap.work_order_id == order.id
        assert order.asset_id == asset_id(context, site, "EL-B1-1")
        assert order.dedup_key == f"maintenance:{task_id}:2"
        assert order.title == "保养发现故障 Maintenance fault: EL-B1-1 制动器间隙 Brake gap"
        assert order.description.startswith(
            "制动器间隙 Brake gap: 1.3 mm 超出 outside [0.5, 1]. "
            f"保养任务 Maintenance task #{task_id}"
        )
        assert faults.open_fault(session, done, gap, now=clock.now()).id == order.id
    with context.db.session() as session, pytest.raises(InvalidTransition):
        tasks.complete(session, task_id, [ItemResult(1, passed=False)], by=tech, now=clock.now())
    with context.db.session() as session:
        assert len(session.scalars(select(WorkOrder)).all()) == 1


def test_another_technician_neither_sees_nor_completes_the_task(
    context: HubContext, clock: FakeClock, task_id: int
) -> None:
    other = other_technician(context, clock)
    with context.db.session() as session:
        with pytest.raises(NotFound):
            tasks.start(session, task_id, by=other, now=clock.now())
        with pytest.raises(NotFound):
            tasks.get_visible_or_raise(session, task_id, other)
        assert tasks.list_for(session, other, tasks.TaskFilter(), now=clock.now()) == []
        operator = session.scalars(select(User).where(User.username == "operator")).one()
        assert len(tasks.list_for(session, operator, tasks.TaskFilter(), now=clock.now())) == 1


def test_a_task_must_be_started_and_every_item_answered(
    context: HubContext, clock: FakeClock, task_id: int
) -> None:
    tech = staff(context, "tech")
    with context.db.session() as session, pytest.raises(InvalidInput) as early:
        tasks.complete(session, task_id, [], by=tech, now=clock.now())
    assert early.value.code == "pm_task_not_started"
    with context.db.session() as session:
        tasks.start(session, task_id, by=tech, now=clock.now())
        tasks.attach_photo(session, task_id, 2, Photo(b"jpeg", "gap.jpg"), by=tech, now=clock.now())
    with context.db.session() as session, pytest.raises(InvalidInput) as unanswered:
        tasks.complete(session, task_id, [ItemResult(1, passed=True)], by=tech, now=clock.now())
    assert unanswered.value.code == "pm_item_unanswered"
