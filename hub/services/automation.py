"""Apply rule actions through the services, in the caller's transaction.

The services' dedup keys do the heavy lifting: a sensor that repeats itself keeps one open work
order and one active alert (whose `occurrences` counts the repeats). When a rule fires both, the
alert links to the work order, and a new rule order goes to the least loaded technician on duty.

Gateways (hub/services/gateways.py): a rule firing for a gateway device raises its one
"gateway offline" incident; the same rule firing for a device behind a silent gateway is raised
suppressed and opens no work order; the gateway's clear clears them all.

Notify and SendCommand run after the others, once per firing: when the rule's alert or work
order for that device is new in this batch (or every time for a rule with neither).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from hub.domain import Role, WorkOrderSource
from hub.errors import InvalidInput
from hub.services import alerts, commands, dispatch, gateways, outbox, work_orders
from hub.services.alerts import AlertRequest
from hub.services.work_orders import WorkOrderRequest
from hub.storage.models import Alert, Device, WorkOrder
from rules.actions import AnyAction, ClearAlert, Notify, OpenWorkOrder, RaiseAlert, SendCommand


@dataclass
class Applied:
    """What applying a list of actions changed (new rows, not repeats)."""

    work_orders_opened: int = 0
    alerts_raised: int = 0
    alerts_repeated: int = 0
    alerts_cleared: int = 0
    alerts_suppressed: int = 0
    notifications: int = 0
    commands: int = 0


@dataclass
class _Batch:
    applied: Applied
    orders: dict[str, int]  # dedup key -> work order id, to link the rule's alert
    alerts: dict[str, int]  # dedup key -> alert id
    fresh: set[str]  # dedup keys whose alert or work order is new in this batch
    touched: set[str]  # dedup keys with an alert or work order action in this batch
    # the session only holds its rows weakly: a rule that both opens and raises would read
    # its device twice
    devices: dict[int, Device]

    def device(self, session: Session, device_id: int) -> Device:
        device = self.devices.get(device_id) or session.get(Device, device_id)
        if device is None:
            raise InvalidInput(f"rule action for unknown device {device_id}")
        self.devices[device_id] = device
        return device


def apply_actions(session: Session, actions: Sequence[AnyAction], *, now: datetime) -> Applied:
    batch = _Batch(Applied(), {}, {}, set(), set(), {})
    later: list[Notify | SendCommand] = []
    for action in actions:
        if isinstance(action, Notify | SendCommand):
            later.append(action)
        elif isinstance(action, OpenWorkOrder):
            _open(session, action, batch, now)
        elif isinstance(action, RaiseAlert):
            _raise(session, action, batch, now)
        else:
            _clear(session, action, batch, now)
    for action in later:
        key = action.dedup_key
        if key in batch.touched and key not in batch.fresh:
            continue  # a repeat of a firing already notified / commanded
        if isinstance(action, Notify):
            batch.applied.notifications += _notify(session, action, batch, now)
        else:
            _command(session, action, batch, now)
            batch.applied.commands += 1
    return batch.applied


def _open(session: Session, action: OpenWorkOrder, batch: _Batch, now: datetime) -> None:
    batch.touched.add(action.dedup_key)
    device = batch.device(session, action.device_id)
    if gateways.suppressing_incident(session, device, action.rule_id) is not None:
        return  # the gateway's incident stands for it
    order, new = work_orders.open_work_order(session, _work_order(action), now=now)
    batch.orders[action.dedup_key] = order.id
    if new:
        batch.fresh.add(action.dedup_key)
        batch.applied.work_orders_opened += 1
        _assign_on_duty(session, order, now)


def _assign_on_duty(session: Session, order: WorkOrder, now: datetime) -> None:
    """A rule-opened order goes to the least loaded technician on duty, if any (the alarm
    reaches the control room either way)."""
    if order.source is not WorkOrderSource.RULE:
        return
    technician = dispatch.least_loaded_on_duty(session, order, now=now)
    if technician is not None:
        work_orders.auto_assign(session, order, technician, now=now)


def _raise(session: Session, action: RaiseAlert, batch: _Batch, now: datetime) -> None:
    batch.touched.add(action.dedup_key)
    device = batch.device(session, action.device_id)
    order_id = batch.orders.get(action.dedup_key)
    request = _alert(action, order_id)
    incident = gateways.suppressing_incident(session, device, action.rule_id)
    alert: Alert
    new: bool
    if gateways.is_gateway(device):
        alert, new = gateways.gateway_down(
            session,
            device,
            rule_id=action.rule_id,
            dedup_key=action.dedup_key,
            reason=action.reason,
            now=now,
        )
    elif incident is not None:
        alert = gateways.raise_suppressed(session, request, incident, now=now)
        batch.applied.alerts_suppressed += 1
        return
    else:
        alert, new = alerts.raise_alert(session, request, now=now)
    if alert.work_order_id is None and order_id is not None:
        alert.work_order_id = order_id  # the order came after the alert was first raised
    batch.alerts[action.dedup_key] = alert.id
    if new:
        batch.fresh.add(action.dedup_key)
    batch.applied.alerts_raised += new
    batch.applied.alerts_repeated += not new


def _clear(session: Session, action: ClearAlert, batch: _Batch, now: datetime) -> None:
    incident = alerts.find_active(session, action.dedup_key)
    if incident is None:
        return
    cleared = alerts.clear(session, action.dedup_key, now=now)
    batch.applied.alerts_cleared += cleared is not None and not cleared.state.is_active
    if gateways.is_gateway(batch.device(session, action.device_id)):
        batch.applied.alerts_cleared += len(gateways.gateway_up(session, incident, now=now))


def _notify(session: Session, action: Notify, batch: _Batch, now: datetime) -> int:
    recipients = outbox.Recipients(
        roles=tuple(Role(role) for role in action.roles),
        usernames=action.users,
        building_owners=action.building_owners,
    )
    rows = outbox.notify(
        session,
        site_id=action.site_id,
        recipients=recipients,
        title=action.title,
        body=action.body or action.reason,
        source=action.rule_id,
        alert_id=batch.alerts.get(action.dedup_key),
        now=now,
    )
    return len(rows)


def _command(session: Session, action: SendCommand, batch: _Batch, now: datetime) -> None:
    commands.request(
        session,
        batch.device(session, action.device_id),
        action.command,
        params=dict(action.params),
        reason=action.reason,
        rule_id=action.rule_id,
        timeout_s=action.timeout_s,
        now=now,
    )


def _work_order(action: OpenWorkOrder) -> WorkOrderRequest:
    return WorkOrderRequest(
        site_id=action.site_id,
        category=action.category,
        priority=action.priority,
        title=action.title,
        description=action.reason,
        location=action.location,
        dedup_key=action.dedup_key,
        rule_id=action.rule_id,
        device_id=action.device_id,
        home_id=action.home_id,
        reading_id=action.reading_id,
    )


def _alert(action: RaiseAlert, work_order_id: int | None) -> AlertRequest:
    return AlertRequest(
        site_id=action.site_id,
        rule_id=action.rule_id,
        dedup_key=action.dedup_key,
        severity=action.severity,
        title=action.title,
        reason=action.reason,
        location=action.location,
        device_id=action.device_id,
        reading_id=action.reading_id,
        work_order_id=work_order_id,
    )
