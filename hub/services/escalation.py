"""SLA escalation ladder: for every open order and every clock past due (rules/sla.yaml), step 1
at the breach tells the supervisors, step 2 `manager_after` later tells the managers.

Each step fires once per order and clock: a `work_order_escalations` row records it in the same
transaction as its alert, outbox rows, timeline note and live-feed update, so a restart or a
second dispatcher pass never repeats it. `check` may run as often as a timer likes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import OPEN_WORK_ORDER_STATES, Role, Severity
from hub.services import alerts, outbox, sla_clocks, sla_policy, work_orders
from hub.services.alerts import AlertRequest
from hub.services.sla_clocks import ClockState
from hub.services.sla_policy import ClockName, SlaFile
from hub.storage.models import WorkOrder, WorkOrderEscalation

RULE_ID = "sla-escalation"
CLOCK_LABELS = {
    ClockName.ACCEPT: "受理 accept",
    ClockName.CONTACT: "联系业主 contact",
    ClockName.ARRIVE: "到场 arrive",
    ClockName.COMPLETE: "完工 complete",
}


@dataclass(frozen=True)
class Step:
    """One rung of the ladder: who hears of a breach, how long after it."""

    number: int
    after: timedelta
    roles: tuple[Role, ...]
    audience: str


@dataclass(frozen=True)
class Fired:
    work_order_id: int
    clock: ClockName
    step: int


def ladder(spec: SlaFile, order: WorkOrder) -> list[Step]:
    policy = sla_clocks.policy_of(spec, order)
    return [
        Step(1, timedelta(0), tuple(spec.supervisors), "主管 supervisors"),
        Step(2, policy.manager_after, tuple(spec.managers), "经理 manager"),
    ]


def check(session: Session, *, now: datetime) -> list[Fired]:
    """Fire every ladder step now due on an open order; returns the steps fired."""
    spec = sla_policy.current()
    orders = session.scalars(
        select(WorkOrder).where(WorkOrder.status.in_(OPEN_WORK_ORDER_STATES)).order_by(WorkOrder.id)
    ).all()
    fired: list[Fired] = []
    for order in orders:
        if not _due(spec, order, now):
            continue
        locked = _lock(session, order.id)  # another hub process may be at the same order
        if locked is None:
            continue
        for state, step in _due(spec, locked, now):
            _escalate(session, locked, state, step, now)
            fired.append(Fired(locked.id, state.name, step.number))
    return fired


def _due(spec: SlaFile, order: WorkOrder, now: datetime) -> list[tuple[ClockState, Step]]:
    """The ladder steps of `order` whose time has come and that have not fired yet."""
    done = {(e.clock, e.step) for e in order.escalations}
    due = []
    for state in sla_clocks.clocks(order, spec, now=now):
        if not state.running or state.paused or not state.breached or state.due_at is None:
            continue
        for step in ladder(spec, order):
            if (state.name.value, step.number) not in done and now >= state.due_at + step.after:
                due.append((state, step))
    return due


def _lock(session: Session, order_id: int) -> WorkOrder | None:
    """The order re-read under a row lock (PostgreSQL; skipped while another holds it), its
    escalations fresh; the unique (order, clock, step) row is the last guard."""
    query = (
        select(WorkOrder)
        .where(WorkOrder.id == order_id, WorkOrder.status.in_(OPEN_WORK_ORDER_STATES))
        .with_for_update(skip_locked=True, of=WorkOrder)
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).one_or_none()


def _escalate(
    session: Session, order: WorkOrder, state: ClockState, step: Step, now: datetime
) -> None:
    assert state.due_at is not None
    late = int((now - state.due_at).total_seconds() // 60)
    label = CLOCK_LABELS[state.name]
    limit = int(state.limit.total_seconds() // 60)
    title = f"工单超时 Work order #{order.id} {label} overdue"
    reason = (
        f"{order.title}: {label} limit {limit} min, due {state.due_at:%Y-%m-%d %H:%M} UTC, "
        f"{late} min late; step {step.number}: {step.audience}"
    )
    alert, _ = alerts.raise_alert(
        session,
        AlertRequest(
            site_id=order.site_id,
            rule_id=RULE_ID,
            dedup_key=f"{RULE_ID}:{order.id}:{state.name.value}",
            severity=Severity.MAJOR if step.number == 1 else Severity.CRITICAL,
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
        recipients=outbox.Recipients(roles=step.roles),
        title=title,
        body=reason,
        source=RULE_ID,
        alert_id=alert.id,
        now=now,
    )
    order.escalations.append(WorkOrderEscalation(clock=state.name.value, step=step.number, at=now))
    order.escalated_at = order.escalated_at or now
    note = f"超时升级 Escalated ({step.number}): {label} 超时 {late} min late -> {step.audience}"
    work_orders.record_note(session, order, now=now, note=note)
    session.flush()
    work_orders.emit_updated(session, order, now=now)
