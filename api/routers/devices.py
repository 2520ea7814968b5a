"""Devices for the control room: the list, one device's detail and readings over a range, its
commands and its placement (retiring and replacing: device_swaps.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import IdField, ObjectId, QueryId
from hub.domain import AlertState, CommandStatus, DeviceKind, Role, Severity, WorkOrderStatus
from hub.services import audit, devices, reading_series, site_plans
from hub.services.devices import DeviceState, DeviceSummary
from hub.storage.models import DeviceCommand, User

router = APIRouter(prefix="/devices", tags=["devices"])

# GET /devices/{id} is what the live feed's device.updated mirrors (hub/live_visibility.py)
Viewer = Annotated[User, Depends(require_role(Role.ADMIN, Role.OPERATOR))]
Admin = Annotated[User, Depends(require_role(Role.ADMIN))]


class LastValueOut(BaseModel):
    metric: str
    value: str | None = Field(description="the number as exact decimal text; null for text")
    text: str | None
    ts: datetime


class PlacementOut(BaseModel):
    plan_id: int
    x: float = Field(description="fraction of the plan's width, from the left")
    y: float = Field(description="fraction of the plan's height, from the top")


class DeviceOut(BaseModel):
    id: int
    site_id: int
    code: str
    name: str
    kind: DeviceKind
    building_id: int | None
    home_id: int | None
    location: str
    online: bool | None = Field(description="null: not heard from since the site was loaded")
    last_seen_at: datetime | None
    heartbeat_s: int
    gateway_id: int | None
    state: DeviceState
    active_alerts: int
    last_values: list[LastValueOut]
    placement: PlacementOut | None
    retired_at: datetime | None = Field(description="null: in service")
    retired_reason: str


class AlertBrief(BaseModel):
    id: int
    title: str
    severity: Severity
    state: AlertState
    raised_at: datetime
    suppressed_by_id: int | None


class WorkOrderBrief(BaseModel):
    id: int
    title: str
    status: WorkOrderStatus
    priority: str
    created_at: datetime


class SeriesOut(BaseModel):
    """One metric's readings, oldest first: `values[i]` (exact decimal) was read at `ts[i]`."""

    metric: str
    ts: list[datetime]
    values: list[str]


class BucketOut(BaseModel):
    """The numeric readings of one bucket, exact decimals; `mean` rounded to 6 places."""

    start: datetime
    min: str
    max: str
    mean: str
    count: int


class BucketSeriesOut(BaseModel):
    metric: str
    buckets: list[BucketOut] = Field(description="oldest first; buckets without readings left out")


class ReadingsOut(BaseModel):
    start: datetime = Field(description="the range's start (`from`), included")
    end: datetime = Field(description="the range's end (`to`), excluded")
    bucket_s: int = Field(description="each bucket's width in seconds")
    series: list[BucketSeriesOut]
    last_values: list[LastValueOut] = Field(description="each metric's latest before `end`")


class CommandOut(BaseModel):
    id: int
    command_id: str = Field(description="the id sent to the device, echoed in its ack")
    command: str
    status: CommandStatus
    created_at: datetime
    acknowledged_at: datetime | None
    failed_at: datetime | None
    error: str | None


class AcceptedCommand(BaseModel):
    command: str = Field(description="also the i18n key devices.commands.<command>")


class DeviceDetail(DeviceOut):
    readings_24h: list[SeriesOut]
    open_alerts: list[AlertBrief]
    open_work_orders: list[WorkOrderBrief]
    commands: list[AcceptedCommand] = Field(description="what this device accepts")
    recent_commands: list[CommandOut]


class CommandIn(BaseModel):
    command: str = Field(min_length=1, max_length=64)


class PlacementIn(BaseModel):
    plan_id: IdField | None = Field(description="null takes the device off its plan")
    x: float | None = Field(default=None, ge=0, le=1)
    y: float | None = Field(default=None, ge=0, le=1)


def decimal_text(value: Decimal) -> str:
    """Exact, without the storage's trailing zeros: 2.750000 is "2.75"."""
    return format(value.normalize(), "f")


def device_out(summary: DeviceSummary) -> DeviceOut:
    return DeviceOut(**_fields(summary))


def _last_value_out(value: devices.LastValue) -> LastValueOut:
    number = None if value.value is None else decimal_text(value.value)
    return LastValueOut(metric=value.metric, value=number, text=value.text, ts=value.ts)


def _fields(summary: DeviceSummary) -> dict[str, object]:
    device = summary.device
    placement = None
    if device.plan_id is not None and device.plan_x is not None and device.plan_y is not None:
        placement = PlacementOut(plan_id=device.plan_id, x=device.plan_x, y=device.plan_y)
    return {
        "id": device.id,
        "site_id": device.site_id,
        "code": device.code,
        "name": device.name,
        "kind": device.kind,
        "building_id": summary.building_id,
        "home_id": device.home_id,
        "location": device.location,
        "online": device.online,
        "last_seen_at": device.last_seen_at,
        "heartbeat_s": device.heartbeat_s,
        "gateway_id": device.gateway_id,
        "state": summary.state,
        "active_alerts": summary.active_alerts,
        "last_values": [_last_value_out(v) for v in summary.last_values],
        "placement": placement,
        "retired_at": device.retired_at,
        "retired_reason": device.retired_reason,
    }


def _command_out(row: DeviceCommand) -> CommandOut:
    return CommandOut(
        id=row.id,
        command_id=row.command_id,
        command=row.command,
        status=row.status,
        created_at=row.created_at,
        acknowledged_at=row.acknowledged_at,
        failed_at=row.failed_at,
        error=row.error,
    )


@router.get("")
def list_devices(
    session: SessionDep,
    _: Viewer,
    site_id: Annotated[QueryId, Query(description="estate")] = None,
    building_id: QueryId = None,
    plan_id: Annotated[QueryId, Query(description="only devices placed on this plan")] = None,
    kind: DeviceKind | None = None,
    state: DeviceState | None = None,
    search: Annotated[str | None, Query(max_length=100, description="code, name, location")] = None,
) -> list[DeviceOut]:
    """Every device with its state, last seen and last value of each metric, by estate and code."""
    where = devices.DeviceFilter(site_id, building_id, kind, state, search, plan_id)
    return [device_out(s) for s in devices.summaries(session, where)]


@router.get("/{device_id}")
def get_device(
    device_id: ObjectId, session: SessionDep, context: ContextDep, _: Viewer
) -> DeviceDetail:
    """One device: its summary, 24 h of readings by metric, open alarms and orders, commands."""
    device = devices.get_or_raise(session, device_id)
    [summary] = devices.summarise(session, [device])
    series = devices.recent_readings(session, device.id, now=context.clock.now())
    return DeviceDetail(
        **_fields(summary),
        readings_24h=[
            SeriesOut(
                metric=m, ts=[ts for ts, _ in points], values=[decimal_text(v) for _, v in points]
            )
            for m, points in sorted(series.items())
        ],
        open_alerts=[
            AlertBrief(
                id=a.id,
                title=a.title,
                severity=a.severity,
                state=a.state,
                raised_at=a.raised_at,
                suppressed_by_id=a.suppressed_by_id,
            )
            for a in devices.open_alerts(session, device.id)
        ],
        open_work_orders=[
            WorkOrderBrief(
                id=o.id,
                title=o.title,
                status=o.status,
                priority=o.priority.value,
                created_at=o.created_at,
            )
            for o in devices.open_work_orders(session, device.id)
        ],
        commands=[AcceptedCommand(command=c.command) for c in devices.accepted_commands(device)],
        recent_commands=[_command_out(c) for c in devices.recent_commands(session, device.id)],
    )


@router.get("/{device_id}/readings")
def get_readings(
    device_id: ObjectId,
    session: SessionDep,
    context: ContextDep,
    _: Viewer,
    metric: Annotated[
        str | None, Query(max_length=64, description="one metric; all if left out")
    ] = None,
    start: Annotated[
        AwareDatetime | None, Query(alias="from", description="included; `to` - 24 h if left out")
    ] = None,
    end: Annotated[
        AwareDatetime | None, Query(alias="to", description="excluded; now if left out")
    ] = None,
    hours: Annotated[
        int | None,
        Query(
            ge=1,
            le=reading_series.MAX_RANGE.days * 24,
            description="instead of `from`: the last hours before `to` (by the hub's clock)",
        ),
    ] = None,
    buckets: Annotated[int, Query(ge=1, le=reading_series.MAX_BUCKETS)] = 200,
) -> ReadingsOut:
    """The device's numeric readings in [from, to), at most 366 days, cut into `buckets` equal
    buckets by the database (min, max, mean, count each), and each metric's last value."""
    device = devices.get_or_raise(session, device_id)
    end = end or context.clock.now()
    where = reading_series.checked_range(start, end, buckets, hours=hours)
    series = reading_series.bucketed(session, device.id, where, metric=metric)
    last = devices.last_values(session, [device.id], before=where.end).get(device.id, [])
    return ReadingsOut(
        start=where.start,
        end=where.end,
        bucket_s=where.width,
        series=[
            BucketSeriesOut(
                metric=name,
                buckets=[
                    BucketOut(
                        start=b.start,
                        min=decimal_text(b.min),
                        max=decimal_text(b.max),
                        mean=decimal_text(b.mean),
                        count=b.count,
                    )
                    for b in found
                ],
            )
            for name, found in sorted(series.items())
        ],
        last_values=[_last_value_out(v) for v in last if metric in (None, v.metric)],
    )


@router.post("/{device_id}/commands", status_code=201)
def send_command(
    device_id: ObjectId,
    body: CommandIn,
    session: SessionDep,
    context: ContextDep,
    user: Viewer,
) -> CommandOut:
    """Queue one of the commands the device accepts; the dispatcher publishes it and the
    device's ack (or its absence within the timeout, an alarm) settles it."""
    device = devices.get_or_raise(session, device_id)
    row = devices.send_command(session, device, body.command, by=user, now=context.clock.now())
    return _command_out(row)


@router.put("/{device_id}/placement")
def place_device(
    device_id: ObjectId,
    body: PlacementIn,
    session: SessionDep,
    context: ContextDep,
    user: Admin,
) -> DeviceOut:
    """Put the device's icon on a plan of its estate at (x, y), or take it off (plan_id null)."""
    device = devices.get_or_raise(session, device_id)
    site_plans.place(session, device, plan_id=body.plan_id, x=body.x, y=body.y)
    where = f"plan {body.plan_id} at ({body.x}, {body.y})" if body.plan_id else "off its plan"
    audit.record(
        session,
        at=context.clock.now(),
        user_id=user.id,
        action="place_device",
        target=f"device:{device.id}",
        detail=where,
    )
    [summary] = devices.summarise(session, [device])
    return device_out(summary)
