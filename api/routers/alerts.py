"""Control-room alarms: the list (worst first, filtered), one alarm in full, and what a person
does with it: acknowledge, close with a note, comment, create or link a work order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import IdField, ObjectId, QueryId
from hub.domain import DeviceKind, Role, Severity
from hub.services import alert_detail, alert_history, alert_work_orders, alerts, audit
from hub.services.alert_query import AlertQuery, AlertView, list_alerts
from hub.services.alert_views import AlertDetailOut, AlertEventOut, AlertOut, LinkedWorkOrderOut
from hub.storage.models import User

router = APIRouter(prefix="/alerts", tags=["alerts"])

# Guards read alarms (they are sent to look) but acting on them is the control room's job.
Viewer = Annotated[User, Depends(require_role(Role.OPERATOR, Role.ADMIN, Role.GUARD))]
Handler = Annotated[User, Depends(require_role(Role.OPERATOR, Role.ADMIN))]


class Note(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


class WorkOrderLink(BaseModel):
    existing_order_id: IdField | None = Field(
        default=None, description="link this open order; omit to create a fault order"
    )
    note: str = Field(default="", max_length=2000)


class AlertWorkOrderOut(BaseModel):
    alert: AlertOut
    work_order: LinkedWorkOrderOut
    created: bool = Field(description="a new work order was opened")


@router.get("")
def list_open_or_filtered(
    session: SessionDep,
    _: Viewer,
    state: Annotated[AlertView, Query(description="open: waiting for a person")] = AlertView.OPEN,
    site_id: QueryId = None,
    building_id: QueryId = None,
    device_id: QueryId = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    device_kind: Annotated[list[DeviceKind] | None, Query()] = None,
    q: Annotated[str, Query(max_length=100, description="title, location, device name")] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> list[AlertOut]:
    """Worst first (critical, major, minor, warning), then newest first."""
    query = AlertQuery(
        view=state,
        site_id=site_id,
        building_id=building_id,
        device_id=device_id,
        severities=tuple(severity or ()),
        device_kinds=tuple(device_kind or ()),
        text=q,
        limit=limit,
    )
    return [AlertOut.of(alert) for alert in list_alerts(session, query)]


@router.get("/{alert_id}")
def get_alert(alert_id: ObjectId, session: SessionDep, user: Viewer) -> AlertDetailOut:
    """The alarm, its device and place, readings ±2 h of the raise, history, work order."""
    return alert_detail.detail(session, alert_id, user)


@router.post("/{alert_id}/acknowledge")
def acknowledge(
    alert_id: ObjectId, session: SessionDep, context: ContextDep, user: Handler
) -> AlertOut:
    """Record who acknowledged and when; every open console sees it on the live feed."""
    now = context.clock.now()
    alert = alerts.acknowledge(session, alert_id, by=user, now=now)
    audit.record(session, at=now, user_id=user.id, action="acknowledge", target=f"alert:{alert_id}")
    return AlertOut.of(alert)


@router.post("/{alert_id}/close")
def close(
    alert_id: ObjectId, body: Note, session: SessionDep, context: ContextDep, user: Handler
) -> AlertOut:
    """Done with it (any state but closed; acknowledges too): it leaves the open list."""
    now = context.clock.now()
    alert = alerts.close(session, alert_id, note=body.note, by=user, now=now)
    audit.record(session, at=now, user_id=user.id, action="close", target=f"alert:{alert_id}")
    return AlertOut.of(alert)


@router.get("/{alert_id}/comments")
def list_comments(alert_id: ObjectId, session: SessionDep, _: Viewer) -> list[AlertEventOut]:
    """Oldest first."""
    alert = alerts.get_or_raise(session, alert_id)
    return [AlertEventOut.of(e) for e in alert_history.history(session, alert, comments_only=True)]


@router.post("/{alert_id}/comments", status_code=201)
def add_comment(
    alert_id: ObjectId, body: Note, session: SessionDep, context: ContextDep, user: Handler
) -> AlertEventOut:
    now = context.clock.now()
    return AlertEventOut.of(alerts.comment(session, alert_id, note=body.note, by=user, now=now))


@router.post("/{alert_id}/work-order")
def work_order(
    alert_id: ObjectId, body: WorkOrderLink, session: SessionDep, context: ContextDep, user: Handler
) -> AlertWorkOrderOut:
    """Link an open order, or open a fault order (priority from the severity) for the alarm."""
    now = context.clock.now()
    alert, order, created = alert_work_orders.work_order_for(
        session,
        alert_id,
        existing_order_id=body.existing_order_id,
        note=body.note,
        by=user,
        now=now,
    )
    audit.record(
        session, at=now, user_id=user.id, action="link", target=f"alert:{alert_id}:wo:{order.id}"
    )
    linked = alert_detail.linked_work_order(session, order)
    return AlertWorkOrderOut(alert=AlertOut.of(alert), work_order=linked, created=created)
