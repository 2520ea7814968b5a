"""Each work order's SLA clocks, computed from its timestamps, its pauses and the policy in
force: when each is due, whether it was met or breached, and how far up the ladder it went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.domain import OPEN_WORK_ORDER_STATES
from hub.services import sla_time
from hub.services.sla_policy import ClockName, Policy, SlaFile
from hub.storage.models import WorkOrder


@dataclass(frozen=True)
class ClockState:
    name: ClockName
    limit: timedelta
    started_at: datetime | None  # None: the step it counts from has not happened
    due_at: datetime | None  # None: not started, or paused
    met_at: datetime | None
    breached: bool
    paused: bool
    left: timedelta | None  # while paused: running time left (negative: overdue)
    level: int  # escalation steps fired: 0, 1 (supervisors), 2 (managers)

    @property
    def running(self) -> bool:
        return self.started_at is not None and self.met_at is None


def bounds(order: WorkOrder, clock: ClockName) -> tuple[datetime | None, datetime | None]:
    """When a clock starts and when it is met."""
    if clock is ClockName.ACCEPT:
        return order.created_at, order.accepted_at
    if clock is ClockName.CONTACT:
        return order.assigned_at, order.contacted_at
    if clock is ClockName.ARRIVE:
        return order.assigned_at, order.arrived_at
    return order.accepted_at, order.completed_at


def policy_of(spec: SlaFile, order: WorkOrder) -> Policy:
    return spec.policy_for(order.category, order.priority)


def clocks(order: WorkOrder, spec: SlaFile, *, now: datetime) -> list[ClockState]:
    """The four clocks of `order` at `now`."""
    policy = policy_of(spec, order)
    hours = spec.business_hours if policy.business_hours else None
    zone = spec.zone()
    pauses = [(p.started_at, p.ended_at) for p in order.pauses]
    is_open = order.status in OPEN_WORK_ORDER_STATES
    paused_now = is_open and any(end is None for _, end in pauses)
    states = []
    for name in ClockName:
        limit = policy.limits.of(name)
        start, met = bounds(order, name)
        due = left = None
        if start is not None:
            due = sla_time.deadline(start, limit, hours=hours, zone=zone, pauses=pauses)
        running = start is not None and met is None and is_open
        paused = running and paused_now
        if paused and start is not None:
            pause_start = max(s for s, end in pauses if end is None)
            spent = sla_time.used(start, pause_start, hours=hours, zone=zone, pauses=pauses)
            left = limit - spent
        breached = due is not None and ((met is not None and met > due) or (running and now >= due))
        states.append(
            ClockState(
                name=name,
                limit=limit,
                started_at=start,
                due_at=due,
                met_at=met,
                breached=breached,
                paused=paused,
                left=left,
                level=max((e.step for e in order.escalations if e.clock == name.value), default=0),
            )
        )
    return states


def paused_for(order: WorkOrder, *, now: datetime) -> timedelta:
    """All the time the order waited for the owner (an open pause up to `now`)."""
    return sum(((p.ended_at or now) - p.started_at for p in order.pauses), timedelta(0))
