"""Tasks from plans: one per plan, asset and occurrence, however often generation runs.

A calendar plan makes a task `lead_days` before its window opens. A plan's first task for an
asset is its first window still open, so a plan anchored years ago does not fill the list with
the past; after that every occurrence gets a task, also one missed while the hub was down (it
is overdue at once and escalates). A usage plan makes its n-th task when the asset's counter
reaches n x `usage_every`, its window opening then; a counter that jumped several multiples at
once makes only the latest. The (plan, asset, sequence) unique key is the last guard against
two hub processes generating together. The assignee is the technician on duty for the plan's
category in the asset's building when the window opens (none: supervisors assign).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.domain import MaintenanceTaskStatus, MaintenanceTrigger
from hub.services import duty
from hub.services.maintenance import plans, schedule, usage
from hub.storage.models import (
    Asset,
    MaintenancePlan,
    MaintenanceTask,
    MaintenanceTaskItem,
    Site,
)

MAX_PER_PASS = 400  # per plan and asset: a long outage catches up over a few passes


def generate(session: Session, *, now: datetime) -> list[MaintenanceTask]:
    """Make every task now due to be made; returns the new ones."""
    made: list[MaintenanceTask] = []
    active = select(MaintenancePlan).where(MaintenancePlan.active.is_(True))
    for plan in session.scalars(active.order_by(MaintenancePlan.id)).all():
        site = session.get(Site, plan.site_id)
        assert site is not None
        zone = ZoneInfo(site.timezone)
        for asset in plans.assets_of(session, plan):
            if plan.trigger is MaintenanceTrigger.CALENDAR:
                made += _calendar(session, plan, asset, zone, now)
            else:
                made += _usage(session, plan, asset, zone, now)
    return made


def _last_sequence(session: Session, plan: MaintenancePlan, asset: Asset) -> int | None:
    return session.scalar(
        select(func.max(MaintenanceTask.sequence)).where(
            MaintenanceTask.plan_id == plan.id, MaintenanceTask.asset_id == asset.id
        )
    )


def _calendar(
    session: Session, plan: MaintenancePlan, asset: Asset, zone: ZoneInfo, now: datetime
) -> list[MaintenanceTask]:
    assert plan.anchor is not None and plan.unit is not None and plan.every is not None
    last = _last_sequence(session, plan, asset)
    if last is None:
        still_open = now.astimezone(zone).date() - timedelta(days=plan.window_days - 1)
        n = schedule.first_on_or_after(plan.anchor, plan.unit, plan.every, still_open)
    else:
        n = last + 1
    made: list[MaintenanceTask] = []
    lead = timedelta(days=plan.lead_days)
    while len(made) < MAX_PER_PASS:
        day = schedule.occurrence(plan.anchor, plan.unit, plan.every, n)
        opens, due_by = schedule.window(day, plan.window_days, zone)
        if opens - lead > now:
            break
        task = _make(session, plan, asset, n, opens, due_by, now)
        if task is not None:
            made.append(task)
        n += 1
    return made


def _usage(
    session: Session, plan: MaintenancePlan, asset: Asset, zone: ZoneInfo, now: datetime
) -> list[MaintenanceTask]:
    assert plan.counter is not None and plan.metric is not None and plan.usage_every
    reached = int(usage.count(session, asset, plan.counter, plan.metric) // plan.usage_every)
    if reached < 1 or reached <= (_last_sequence(session, plan, asset) or 0):
        return []
    _, due_by = schedule.window(now.astimezone(zone).date(), plan.window_days, zone)
    task = _make(session, plan, asset, reached, now, due_by, now)
    return [task] if task is not None else []


def _make(
    session: Session,
    plan: MaintenancePlan,
    asset: Asset,
    sequence: int,
    opens: datetime,
    due_by: datetime,
    now: datetime,
) -> MaintenanceTask | None:
    """The task with its checklist copied from the plan; None if another process made it."""
    on_duty = duty.on_duty_technicians(
        session,
        site_id=plan.site_id,
        category=plan.category,
        building_id=asset.building_id,
        now=opens,
    )
    task = MaintenanceTask(
        site_id=plan.site_id,
        plan_id=plan.id,
        asset_id=asset.id,
        sequence=sequence,
        title=plan.name,
        window_start=opens,
        due_by=due_by,
        status=MaintenanceTaskStatus.SCHEDULED,
        assignee_id=on_duty[0].id if on_duty else None,
        created_at=now,
    )
    task.items = [
        MaintenanceTaskItem(
            position=position,
            label=item.label,
            kind=item.kind,
            unit=item.unit,
            min_value=item.min,
            max_value=item.max,
            photo_required=item.photo_required,
        )
        for position, item in enumerate(plans.checklist_of(plan), start=1)
    ]
    try:
        with session.begin_nested():
            session.add(task)
            session.flush()
    except IntegrityError:
        return None
    return task
