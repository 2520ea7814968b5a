"""Devices as the control room sees them: state, last values, recent readings, and commands.

A device's state is one word, worked out from what the hub already records, never stored twice:
- `suppressed`: its edge gateway is silent (offline) or one of its alarms is suppressed by the
  gateway's incident: what it says, or does not say, cannot be told apart from the gateway's;
- `offline`: it went quiet past its offline rule's limit, or its last will said so;
- `alarm`: it has an active alarm;
- `unknown`: the hub has not heard from it since the site was loaded;
- `normal`: otherwise;
- `retired`: taken out of service (hub/services/device_swaps.py), whatever else is true.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hub import events
from hub.domain import ACTIVE_ALERT_STATES, OPEN_WORK_ORDER_STATES, DeviceKind
from hub.errors import InvalidInput, NotFound
from hub.services import audit, commands, device_swaps
from hub.storage.models import Alert, Device, DeviceCommand, Home, Reading, User, WorkOrder

CHART_WINDOW = timedelta(hours=24)
CHART_MAX_POINTS = 2000  # per metric: a 60 s heartbeat gives 1,440 a day


class DeviceState(StrEnum):
    NORMAL = "normal"
    ALARM = "alarm"
    OFFLINE = "offline"
    SUPPRESSED = "suppressed"
    UNKNOWN = "unknown"
    RETIRED = "retired"


@dataclass(frozen=True)
class CommandSpec:
    """A command a kind of device understands, with the parameters it is sent."""

    command: str
    params: Mapping[str, Any] = field(default_factory=dict)


# What the devices of each kind obey (their firmware's contract); the rest accept none.
COMMANDS: Mapping[DeviceKind, tuple[CommandSpec, ...]] = {
    DeviceKind.GATE: (CommandSpec("open_gate"), CommandSpec("close_gate")),
    DeviceKind.LEAK_SENSOR: (CommandSpec("close_valve", {"valve": 1}),),
    DeviceKind.PUMP: (CommandSpec("start_pump"), CommandSpec("stop_pump")),
}


@dataclass(frozen=True)
class LastValue:
    metric: str
    value: Decimal | None
    text: str | None
    ts: datetime


@dataclass(frozen=True)
class DeviceFilter:
    """What the device list is narrowed by; every field optional."""

    site_id: int | None = None
    building_id: int | None = None
    kind: DeviceKind | None = None
    state: DeviceState | None = None
    search: str | None = None
    plan_id: int | None = None


@dataclass(frozen=True)
class DeviceSummary:
    device: Device
    building_id: int | None
    state: DeviceState
    active_alerts: int
    last_values: list[LastValue]


def get_or_raise(session: Session, device_id: int) -> Device:
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound(f"device {device_id} not found")
    return device


def summaries(session: Session, where: DeviceFilter | None = None) -> list[DeviceSummary]:
    """Devices with their state and last values, by estate and code."""
    where = where or DeviceFilter()
    query = select(Device).order_by(Device.site_id, Device.code)
    if where.site_id is not None:
        query = query.where(Device.site_id == where.site_id)
    if where.kind is not None:
        query = query.where(Device.kind == where.kind)
    if where.plan_id is not None:
        query = query.where(Device.plan_id == where.plan_id)
    if where.search:
        pattern = f"%{where.search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Device.code).like(pattern),
                func.lower(Device.name).like(pattern),
                func.lower(Device.location).like(pattern),
            )
        )
    found = summarise(session, list(session.scalars(query)))
    return [
        s
        for s in found
        if (where.building_id is None or s.building_id == where.building_id)
        and (where.state is None or s.state is where.state)
    ]


def summarise(session: Session, devices: Sequence[Device]) -> list[DeviceSummary]:
    """State and last values of `devices`, in a few queries whatever their number."""
    if not devices:
        return []
    ids = [d.id for d in devices]
    alerts = _active_alerts(session, ids)
    gateways = {d.gateway_id for d in devices if d.gateway_id is not None}
    silent = _silent(session, gateways)
    buildings = _buildings_of_homes(session, {d.home_id for d in devices if d.home_id})
    values = last_values(session, ids)
    out = []
    for device in devices:
        total, suppressed = alerts.get(device.id, (0, 0))
        if device.retired_at is not None:
            state = DeviceState.RETIRED
        elif device.gateway_id in silent or suppressed:
            state = DeviceState.SUPPRESSED
        elif device.online is False:
            state = DeviceState.OFFLINE
        elif total:
            state = DeviceState.ALARM
        elif device.online is None:
            state = DeviceState.UNKNOWN
        else:
            state = DeviceState.NORMAL
        building = device.building_id or buildings.get(device.home_id or 0)
        out.append(DeviceSummary(device, building, state, total, values.get(device.id, [])))
    return out


def _active_alerts(session: Session, ids: list[int]) -> dict[int, tuple[int, int]]:
    """device id -> (active alarms, how many of them suppressed by a gateway's incident)."""
    query = (
        select(Alert.device_id, func.count(Alert.id), func.count(Alert.suppressed_by_id))
        .where(Alert.device_id.in_(ids), Alert.state.in_(ACTIVE_ALERT_STATES))
        .group_by(Alert.device_id)
    )
    return {
        device_id: (total, hidden)
        for device_id, total, hidden in session.execute(query)
        if device_id is not None
    }


def _silent(session: Session, gateway_ids: set[int]) -> set[int]:
    if not gateway_ids:
        return set()
    query = select(Device.id).where(Device.id.in_(gateway_ids), Device.online.is_(False))
    return set(session.scalars(query))


def _buildings_of_homes(session: Session, home_ids: set[int]) -> dict[int, int]:
    if not home_ids:
        return {}
    query = select(Home.id, Home.building_id).where(Home.id.in_(home_ids))
    return {home: building for home, building in session.execute(query)}


def last_values(
    session: Session, device_ids: Iterable[int], *, before: datetime | None = None
) -> dict[int, list[LastValue]]:
    """The latest reading (before `before`, if given) of each metric of each device (the
    readings' unique index serves it)."""
    ids = sorted(set(device_ids))
    if not ids:
        return {}
    latest_ts = select(Reading.device_id, Reading.metric, func.max(Reading.ts).label("ts"))
    latest_ts = latest_ts.where(Reading.device_id.in_(ids))
    if before is not None:
        latest_ts = latest_ts.where(Reading.ts < before)
    latest = latest_ts.group_by(Reading.device_id, Reading.metric).subquery()
    query = (
        select(Reading.device_id, Reading.metric, Reading.value, Reading.text, Reading.ts)
        .join(
            latest,
            (Reading.device_id == latest.c.device_id)
            & (Reading.metric == latest.c.metric)
            & (Reading.ts == latest.c.ts),
        )
        .order_by(Reading.device_id, Reading.metric)
    )
    found: dict[int, list[LastValue]] = {}
    for device_id, metric, value, text, ts in session.execute(query):
        found.setdefault(device_id, []).append(LastValue(metric, value, text, ts))
    return found


def recent_readings(
    session: Session, device_id: int, *, now: datetime
) -> dict[str, list[tuple[datetime, Decimal]]]:
    """Numeric readings of the last 24 h by metric, oldest first: the detail's chart."""
    query = (
        select(Reading.metric, Reading.ts, Reading.value)
        .where(
            Reading.device_id == device_id,
            Reading.ts > now - CHART_WINDOW,
            Reading.ts <= now,
            Reading.value.is_not(None),
        )
        .order_by(Reading.metric, Reading.ts.desc())
    )
    series: dict[str, list[tuple[datetime, Decimal]]] = {}
    for metric, ts, value in session.execute(query):
        points = series.setdefault(metric, [])
        if value is not None and len(points) < CHART_MAX_POINTS:
            points.append((ts, value))
    return {metric: points[::-1] for metric, points in series.items()}


def open_alerts(session: Session, device_id: int) -> list[Alert]:
    query = select(Alert).where(Alert.device_id == device_id, Alert.state.in_(ACTIVE_ALERT_STATES))
    return list(session.scalars(query.order_by(Alert.raised_at.desc())))


def open_work_orders(session: Session, device_id: int) -> list[WorkOrder]:
    query = select(WorkOrder).where(
        WorkOrder.device_id == device_id, WorkOrder.status.in_(OPEN_WORK_ORDER_STATES)
    )
    return list(session.scalars(query.order_by(WorkOrder.created_at.desc())))


def recent_commands(session: Session, device_id: int, *, limit: int = 10) -> list[DeviceCommand]:
    query = select(DeviceCommand).where(DeviceCommand.device_id == device_id)
    return list(session.scalars(query.order_by(DeviceCommand.id.desc()).limit(limit)))


def accepted_commands(device: Device) -> tuple[CommandSpec, ...]:
    return COMMANDS.get(device.kind, ())


def send_command(
    session: Session, device: Device, command: str, *, by: User, now: datetime
) -> DeviceCommand:
    """Queue one of the device's commands for the dispatcher, as `by`, and audit it."""
    device_swaps.refuse_retired(device)
    spec = next((c for c in accepted_commands(device) if c.command == command), None)
    if spec is None:
        accepted = ", ".join(c.command for c in accepted_commands(device)) or "none"
        raise InvalidInput(
            f"command: {device.code} does not accept {command!r} (accepted: {accepted}); "
            "该设备不支持此指令",
            code="command_not_accepted",
        )
    row = commands.request(
        session,
        device,
        spec.command,
        params=spec.params,
        reason=f"sent by {by.username}",
        now=now,
        by=by,
    )
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action="command",
        target=f"device:{device.id}",
        detail=spec.command,
    )
    return row


def presence_changed(session: Session, online: Mapping[int, bool], *, now: datetime) -> None:
    """Tell the live feed these devices came online or went offline (sent at commit)."""
    for device_id, value in sorted(online.items()):
        data = {"id": device_id, "online": value, "at": now.isoformat()}
        events.emit(session, "device.updated", data)
