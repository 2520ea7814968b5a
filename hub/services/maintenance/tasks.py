"""The technician's side of a maintenance task: start it, photograph items, complete it with
the checklist's results; and who sees which tasks (admins and operators all of them, a
technician only their own, so another's task is not found rather than refused).

Completing checks every item: a pass/fail item needs its answer, a measured item its value
(judged against its limits here, never by the phone), an item that requires a photo its photo.
Every failed item opens its fault work order (hub/services/maintenance/faults.py) in the same
transaction as the results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from hub.domain import (
    OPEN_MAINTENANCE_STATES,
    ChecklistKind,
    MaintenanceTaskStatus,
    Role,
    check_maintenance_move,
)
from hub.errors import InvalidInput, NotFound
from hub.services import audit
from hub.services.maintenance import faults
from hub.services.uploads import Photo
from hub.storage.models import MaintenanceTask, MaintenanceTaskItem, User

SEES_ALL = frozenset({Role.ADMIN, Role.OPERATOR})


@dataclass(frozen=True)
class ItemResult:
    """What the technician answered for one item (by its position on the checklist)."""

    position: int
    passed: bool | None = None  # pass/fail items
    value: Decimal | None = None  # measured items
    note: str = ""


@dataclass(frozen=True)
class TaskFilter:
    site_id: int | None = None
    asset_id: int | None = None
    plan_id: int | None = None
    status: MaintenanceTaskStatus | None = None
    overdue: bool | None = None  # True: open past due_by

    def conditions(self, now: datetime) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        for column, value in (
            (MaintenanceTask.site_id, self.site_id),
            (MaintenanceTask.asset_id, self.asset_id),
            (MaintenanceTask.plan_id, self.plan_id),
            (MaintenanceTask.status, self.status),
        ):
            if value is not None:
                found.append(column == value)
        if self.overdue is not None:
            late = MaintenanceTask.status.in_(OPEN_MAINTENANCE_STATES) & (
                MaintenanceTask.due_by <= now
            )
            found.append(late if self.overdue else ~late)
        return found


def overdue(task: MaintenanceTask, now: datetime) -> bool:
    return task.status in OPEN_MAINTENANCE_STATES and now >= task.due_by


def done_late(task: MaintenanceTask) -> bool:
    return task.done_at is not None and task.done_at > task.due_by


def item_failed(item: MaintenanceTaskItem) -> bool:
    return item.passed is False


def _readable_by(user: User) -> ColumnElement[bool] | None:
    """None: every task; else the condition for the user's own."""
    return None if user.role in SEES_ALL else MaintenanceTask.assignee_id == user.id


def list_for(
    session: Session, user: User, where: TaskFilter, *, now: datetime, limit: int = 500
) -> list[MaintenanceTask]:
    """The tasks the user may see, soonest due first."""
    query = select(MaintenanceTask).where(*where.conditions(now))
    own = _readable_by(user)
    if own is not None:
        query = query.where(own)
    query = query.order_by(MaintenanceTask.due_by, MaintenanceTask.id).limit(limit)
    return list(session.scalars(query))


def get_visible_or_raise(session: Session, task_id: int, user: User) -> MaintenanceTask:
    task = session.get(MaintenanceTask, task_id)
    if task is None or (user.role not in SEES_ALL and task.assignee_id != user.id):
        raise NotFound(f"maintenance task {task_id} not found")
    return task


def _own_or_raise(session: Session, task_id: int, by: User) -> MaintenanceTask:
    """The task, if `by` is its assignee (others do not see it)."""
    task = session.get(MaintenanceTask, task_id)
    if task is None or task.assignee_id != by.id:
        raise NotFound(f"maintenance task {task_id} not found")
    return task


def start(session: Session, task_id: int, *, by: User, now: datetime) -> MaintenanceTask:
    task = _own_or_raise(session, task_id, by)
    check_maintenance_move(task.status, MaintenanceTaskStatus.IN_PROGRESS)
    task.status = MaintenanceTaskStatus.IN_PROGRESS
    task.started_at, task.started_by_id = now, by.id
    session.flush()
    return task


def _item(task: MaintenanceTask, position: int) -> MaintenanceTaskItem:
    for item in task.items:
        if item.position == position:
            return item
    raise NotFound(f"maintenance task {task.id} has no item {position}")


def attach_photo(
    session: Session, task_id: int, position: int, photo: Photo, *, by: User, now: datetime
) -> MaintenanceTaskItem:
    """The item's photo (replacing an earlier one) while the task is in progress; the caller
    saves the file once this succeeded."""
    task = _own_or_raise(session, task_id, by)
    _require_in_progress(task)
    item = _item(task, position)
    item.photo_name = photo.name
    session.flush()
    return item


def _require_in_progress(task: MaintenanceTask) -> None:
    """A done or cancelled task is closed for good; a scheduled one waits to be started."""
    if task.status is not MaintenanceTaskStatus.SCHEDULED:
        check_maintenance_move(task.status, MaintenanceTaskStatus.DONE)
    else:
        raise InvalidInput(
            f"maintenance task {task.id} is {task.status.value}: start it first; 请先开始任务",
            code="pm_task_not_started",
        )


def _judge(item: MaintenanceTaskItem, result: ItemResult) -> bool:
    """Whether the item passed, from the technician's answer; `InvalidInput` if it is missing."""
    if item.kind is ChecklistKind.PASS_FAIL:
        if result.passed is None:
            raise InvalidInput(
                f"item {item.position} ({item.label}): pass or fail?; 请选择合格或不合格",
                code="pm_item_unanswered",
            )
        return result.passed
    if result.value is None:
        raise InvalidInput(
            f"item {item.position} ({item.label}): the measured value is missing; 请填写测量值",
            code="pm_item_unanswered",
        )
    low, high = item.min_value, item.max_value
    return (low is None or result.value >= low) and (high is None or result.value <= high)


def complete(
    session: Session,
    task_id: int,
    results: Sequence[ItemResult],
    *,
    note: str = "",
    by: User,
    now: datetime,
) -> MaintenanceTask:
    """Done, with a result for every item; failed items open their fault work orders."""
    task = _own_or_raise(session, task_id, by)
    _require_in_progress(task)
    given = {r.position: r for r in results}
    unknown = set(given) - {item.position for item in task.items}
    if unknown:
        raise NotFound(f"maintenance task {task.id} has no items {sorted(unknown)}")
    for item in task.items:
        if item.photo_required and item.photo_name is None:
            raise InvalidInput(
                f"item {item.position} ({item.label}) needs a photo; 该项需要拍照",
                code="pm_photo_missing",
            )
        result = given.get(item.position, ItemResult(item.position))
        item.passed = _judge(item, result)
        item.value = result.value if item.kind is ChecklistKind.MEASURE else None
        item.note = result.note
        item.checked_at = now
    for item in task.items:
        if item_failed(item):
            faults.open_fault(session, task, item, now=now)
    check_maintenance_move(task.status, MaintenanceTaskStatus.DONE)
    task.status = MaintenanceTaskStatus.DONE
    task.done_at, task.done_by_id, task.note = now, by.id, note
    session.flush()
    return task


def assign(
    session: Session, task_id: int, *, technician_id: int, by: User, now: datetime
) -> MaintenanceTask:
    """Give an open task to an active technician (the roster had no one, or someone else)."""
    task = get_visible_or_raise(session, task_id, by)
    if task.status not in OPEN_MAINTENANCE_STATES:
        raise InvalidInput(
            f"maintenance task {task.id} is {task.status.value}", code="pm_task_wrong_state"
        )
    technician = session.get(User, technician_id)
    if technician is None or not technician.active or technician.role is not Role.TECHNICIAN:
        raise InvalidInput(
            f"user {technician_id} is not an active technician; 请选择在岗维修工",
            code="pm_not_a_technician",
        )
    task.assignee_id, task.reminded_at = technician.id, None  # the new one is told
    session.flush()
    session.expire(task, ["assignee"])
    _audit(session, task, "assign_maintenance_task", by, now, technician.username)
    return task


def cancel(
    session: Session, task_id: int, *, reason: str, by: User, now: datetime
) -> MaintenanceTask:
    """Not done and not to be done (the asset was retired, the window merged into another)."""
    task = get_visible_or_raise(session, task_id, by)
    check_maintenance_move(task.status, MaintenanceTaskStatus.CANCELLED)
    task.status, task.cancelled_at, task.note = MaintenanceTaskStatus.CANCELLED, now, reason
    session.flush()
    _audit(session, task, "cancel_maintenance_task", by, now, reason)
    return task


def _audit(
    session: Session, task: MaintenanceTask, action: str, by: User, now: datetime, detail: str
) -> None:
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action=action,
        target=f"maintenance_task:{task.id}",
        detail=detail,
    )
