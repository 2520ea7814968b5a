"""SLA escalation: an urgent work order nobody accepted within `ACCEPT_WITHIN` goes to the
supervisors (admins and operators) as an alert and a notification, once per order.

`check` is idempotent (the order's `escalated_at` records that it was done), so a timer may
call it as often as it likes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import Priority, Role, Severity, WorkOrderStatus
from hub.services import alerts, outbox
from hub.services.alerts import AlertRequest
from hub.services.work_orders import ACCEPT_WITHIN
from hub.storage.models import WorkOrder

RULE_ID = "sla-escalation"
SUPERVISORS = (Role.ADMIN, Role.OPERATOR)


def check(session: Session, *, now: datetime) -> list[WorkOrder]:
    """Escalate every urgent order still unaccepted past its deadline; returns those escalated."""
    overdue = list(
        session.scalars(
            select(WorkOrder)
            .where(
                WorkOrder.priority == Priority.URGENT,
                WorkOrder.status == WorkOrderStatus.SUBMITTED,
                WorkOrder.escalated_at.is_(None),
                WorkOrder.created_at <= now - ACCEPT_WITHIN,
            )
            .order_by(WorkOrder.id)
        )
    )
    for order in overdue:
        _escalate(session, order, now)
    return overdue


def _escalate(session: Session, order: WorkOrder, now: datetime) -> None:
    minutes = int((now - order.created_at).total_seconds() // 60)
    title = f"紧急工单超时未受理 Urgent work order #{order.id} not accepted"
    reason = f"{order.title}: not accepted {minutes} min after it was opened (limit 30 min)"
    alert, _ = alerts.raise_alert(
        session,
        AlertRequest(
            site_id=order.site_id,
            rule_id=RULE_ID,
            dedup_key=f"{RULE_ID}:{order.id}",
            severity=Severity.MAJOR,
            title=title,
            reason=reason,
            location=order.location,
            device_id=order.device_id,
            work_order_id=order.id,
        ),
        now=now,
    )
    outbox.notify(
        session,
        site_id=order.site_id,
        recipients=outbox.Recipients(roles=SUPERVISORS),
        title=title,
        body=reason,
        source=RULE_ID,
        alert_id=alert.id,
        now=now,
    )
    order.escalated_at = now
    session.flush()
