"""Who hears of a maintenance task, once each: the assignee when its window opens (supervisors
if it has none), and the admins and operators when it is still open at its due time.

`reminded_at` and `escalated_at` are written in the same transaction as the outbox rows, so a
second pass or a restarted hub never tells anyone twice. Both may run as often as a timer likes.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import OPEN_MAINTENANCE_STATES, MaintenanceTaskStatus, Role
from hub.services import outbox
from hub.services.outbox import Recipients
from hub.storage.models import MaintenanceTask, Site

SOURCE = "maintenance"
SUPERVISORS = (Role.ADMIN, Role.OPERATOR)


def _local(session: Session, task: MaintenanceTask, at: datetime) -> str:
    site = session.get(Site, task.site_id)
    assert site is not None
    return f"{at.astimezone(ZoneInfo(site.timezone)):%Y-%m-%d %H:%M}"


def _tell(
    session: Session,
    task: MaintenanceTask,
    recipients: Recipients,
    title: str,
    text: str,
    now: datetime,
) -> None:
    """One outbox row per recipient, the body led by the asset."""
    body = f"{task.asset.code} {task.asset.name}: {text}"
    outbox.notify(
        session,
        site_id=task.site_id,
        recipients=recipients,
        title=title,
        body=body,
        source=SOURCE,
        now=now,
    )


def remind(session: Session, *, now: datetime) -> list[int]:
    """Tell each scheduled task's assignee that its window is open; the ids told."""
    due = session.scalars(
        select(MaintenanceTask)
        .where(
            MaintenanceTask.status == MaintenanceTaskStatus.SCHEDULED,
            MaintenanceTask.reminded_at.is_(None),
            MaintenanceTask.window_start <= now,
            MaintenanceTask.due_by > now,
        )
        .with_for_update(skip_locked=True, of=MaintenanceTask)
        .order_by(MaintenanceTask.id)
    ).all()
    for task in due:
        assignee = task.assignee
        recipients = (
            Recipients(usernames=(assignee.username,))
            if assignee is not None
            else Recipients(roles=SUPERVISORS)
        )
        who = "" if assignee is not None else " (未分配 unassigned)"
        due_at = _local(session, task, task.due_by)
        _tell(
            session,
            task,
            recipients,
            f"保养任务 Maintenance due: {task.title} {task.asset.code}{who}",
            f"{task.title}, 请在 {due_at} 前完成 due by {due_at}",
            now,
        )
        task.reminded_at = now
    session.flush()
    return [task.id for task in due]


def escalate(session: Session, *, now: datetime) -> list[int]:
    """Tell the supervisors, once, of each task still open past its due time; the ids told."""
    late = session.scalars(
        select(MaintenanceTask)
        .where(
            MaintenanceTask.status.in_(OPEN_MAINTENANCE_STATES),
            MaintenanceTask.escalated_at.is_(None),
            MaintenanceTask.due_by <= now,
        )
        .with_for_update(skip_locked=True, of=MaintenanceTask)
        .order_by(MaintenanceTask.id)
    ).all()
    for task in late:
        who = task.assignee.full_name if task.assignee is not None else "未分配 unassigned"
        _tell(
            session,
            task,
            Recipients(roles=SUPERVISORS),
            f"保养逾期 Maintenance overdue: {task.title} {task.asset.code}",
            f"{task.title}, 应于 due {_local(session, task, task.due_by)}; {who}",
            now,
        )
        task.escalated_at = now
    session.flush()
    return [task.id for task in late]
