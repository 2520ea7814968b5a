"""The shapes of a work order that people see: one model for the REST API and the live feed.

`WorkOrderOut` is what lists, each step's answer and the live feed's `work_order.*` events carry
(the feed dumps the same model to JSON); `WorkOrderDetailOut` adds the timeline for one order.
Both show the order at a moment (`now=`): its SLA clocks are breached or not against that time.
The owner's contact is masked unless the reader's duty needs it (`full_contact`).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from hub.crypto import mask
from hub.domain import OPEN_WORK_ORDER_STATES, Priority, WorkOrderSource, WorkOrderStatus
from hub.services import sla_clocks, sla_policy
from hub.services.maintenance_record_views import MaintenanceRecordOut
from hub.services.person_views import PersonRef
from hub.services.sla_clocks import ClockState
from hub.services.sla_policy import ClockName
from hub.storage.models import Home, User, WorkOrder, WorkOrderEvent, WorkOrderPhoto


class PhotoOut(BaseModel):
    id: int
    content_type: str
    size: int = Field(description="bytes")
    url: str = Field(description="GET with the token")

    @classmethod
    def of(cls, photo: WorkOrderPhoto) -> PhotoOut:
        url = f"/api/v1/work-orders/{photo.work_order_id}/photos/{photo.id}"
        return cls(id=photo.id, content_type=photo.content_type, size=photo.size, url=url)


class SlaClockOut(BaseModel):
    """One SLA clock (rules/sla.yaml): accept from submission, contact and arrive from
    assignment, complete from acceptance."""

    name: ClockName
    limit_minutes: int = Field(description="the policy's limit, in running minutes")
    started_at: datetime | None = Field(description="None: the step it counts from is to come")
    due_at: datetime | None = Field(description="None: not started, or paused")
    met_at: datetime | None
    breached: bool = Field(description="met late, or still running past due_at")
    paused: bool = Field(description="waiting for the owner: the clock stands still")
    left_seconds: int | None = Field(description="while paused: running time left (<0 overdue)")
    escalation_level: int = Field(description="0 none, 1 supervisors told, 2 manager told")

    @classmethod
    def of(cls, state: ClockState) -> SlaClockOut:
        return cls(
            name=state.name,
            limit_minutes=int(state.limit.total_seconds() // 60),
            started_at=state.started_at,
            due_at=state.due_at,
            met_at=state.met_at,
            breached=state.breached,
            paused=state.paused,
            left_seconds=int(state.left.total_seconds()) if state.left is not None else None,
            escalation_level=state.level,
        )


class WorkOrderOut(BaseModel):
    id: int
    number: str = Field(description="工单号 shown to people, e.g. GD20261203-0042")
    source: WorkOrderSource = Field(description="who opened it: rule, owner, staff (phone-in)")
    category: str = Field(description="the kind of work: plumbing, electrical, fault...")
    priority: Priority
    title: str
    description: str
    location: str
    status: WorkOrderStatus
    home_id: int | None
    home: str | None = Field(description="building/home, e.g. B1/101")
    building_id: int | None
    device_id: int | None
    device: str | None = Field(description="the device's name")
    asset_id: int | None = Field(description="the equipment (设施台账) the order repairs")
    rule_id: str | None
    reading_id: int | None
    assigned_to_id: int | None
    assignee: PersonRef | None
    has_photo: bool = Field(description="the owner attached a photo (GET .../photo)")
    photos: list[PhotoOut] = Field(description="the technician's completion photos")
    contact: str | None
    created_at: datetime
    accept_by: datetime = Field(description="SLA: accepted by then (the accept clock's due)")
    due_at: datetime | None = Field(
        description="the earliest deadline of a clock still running; None when none runs"
    )
    clocks: list[SlaClockOut] = Field(description="accept, contact, arrive, complete")
    paused: bool = Field(description="waiting for the owner: the clocks stand still")
    paused_seconds: int = Field(description="all the time spent waiting for the owner")
    accepted_at: datetime | None
    assigned_at: datetime | None
    contacted_at: datetime | None = Field(description="the technician contacted the owner")
    started_at: datetime | None
    arrived_at: datetime | None
    completed_at: datetime | None
    completion_report: str | None
    confirmed_at: datetime | None
    rating_attitude: int | None
    rating_quality: int | None
    escalated_at: datetime | None
    reopened_from_id: int | None
    refused_count: int = Field(description="times the owner sent it back for rework")
    cancelled_at: datetime | None
    cancel_reason: str | None

    @classmethod
    def of(cls, order: WorkOrder, *, now: datetime, full_contact: bool = False) -> WorkOrderOut:
        spec = sla_policy.current()
        states = sla_clocks.clocks(order, spec, now=now)
        accept = states[0]
        accept_by = accept.due_at or order.created_at + accept.limit
        running = [s.due_at for s in states if s.running and not s.paused and s.due_at]
        is_open = order.status in OPEN_WORK_ORDER_STATES
        home, device = order.home, order.device
        building_id = home.building_id if home else device.building_id if device else None
        return cls(
            id=order.id,
            number=order_number(order),
            source=order.source,
            category=order.category,
            priority=order.priority,
            title=order.title,
            description=order.description,
            location=order.location,
            status=order.status,
            home_id=order.home_id,
            home=home_label(home) if home else None,
            building_id=building_id,
            device_id=order.device_id,
            device=device.name if device else None,
            asset_id=order.asset_id,
            rule_id=order.rule_id,
            reading_id=order.reading_id,
            assigned_to_id=order.assigned_to_id,
            assignee=PersonRef.of(order.assignee) if order.assignee else None,
            has_photo=order.photo_path is not None,
            photos=[PhotoOut.of(photo) for photo in order.photos],
            contact=order.contact if full_contact or order.contact is None else mask(order.contact),
            created_at=order.created_at,
            accept_by=accept_by,
            due_at=min(running) if running and is_open else None,
            clocks=[SlaClockOut.of(state) for state in states],
            paused=any(state.paused for state in states),
            paused_seconds=int(sla_clocks.paused_for(order, now=now).total_seconds()),
            accepted_at=order.accepted_at,
            assigned_at=order.assigned_at,
            contacted_at=order.contacted_at,
            started_at=order.started_at,
            arrived_at=order.arrived_at,
            completed_at=order.completed_at,
            completion_report=order.completion_report,
            confirmed_at=order.confirmed_at,
            rating_attitude=order.rating_attitude,
            rating_quality=order.rating_quality,
            escalated_at=order.escalated_at,
            reopened_from_id=order.reopened_from_id,
            refused_count=order.refused_count,
            cancelled_at=order.cancelled_at,
            cancel_reason=order.cancel_reason,
        )


class WorkOrderStepOut(BaseModel):
    """One step of the timeline: the status it reached, when, by whom, with the note."""

    status: WorkOrderStatus
    at: datetime
    by: str | None = Field(description="username; None: the hub (a rule, the duty roster)")
    by_name: str | None
    note: str

    @classmethod
    def of(cls, session: Session, event: WorkOrderEvent) -> WorkOrderStepOut:
        by = session.get(User, event.by_id) if event.by_id else None
        return cls(
            status=event.status,
            at=event.at,
            by=by.username if by else None,
            by_name=(by.full_name or by.username) if by else None,
            note=event.note,
        )


class WorkOrderDetailOut(WorkOrderOut):
    timeline: list[WorkOrderStepOut]
    record: MaintenanceRecordOut | None = Field(
        default=None, description="the maintenance record (维修记录) of an asset's order"
    )


class CandidateOut(BaseModel):
    """A technician one may dispatch an order to."""

    technician: PersonRef
    on_duty: bool = Field(description="a duty shift for the order's category covers now")
    suggested: bool = Field(description="the one the duty roster would pick")
    open_orders: int = Field(description="orders assigned to them and not yet completed")


class HomeOut(BaseModel):
    id: int
    code: str
    building: str
    building_id: int
    site_id: int
    unit: str = Field(description="单元, e.g. 1单元; empty: the building has none")
    label: str = Field(description="building/home, e.g. B1/101")
    owners: list[str] = Field(description="owners' names (for customer service)")


def order_number(order: WorkOrder) -> str:
    """工单号, e.g. GD20261203-0042."""
    return f"GD{order.created_at:%Y%m%d}-{order.id:04d}"


def home_label(home: Home) -> str:
    return f"{home.building.code}/{home.code}"
