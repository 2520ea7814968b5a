"""Device commands with acknowledgement: request, publish (dispatcher), ack or time out.

Every command is a `DeviceCommand` row first (the audit record: which rule or user, when, what
payload), written in the transaction that decided it. The dispatcher publishes pending ones to
`{prefix}/{site}/{device}/command` as `{"id", "command", "params", "ts"}`; the device answers
with an event of kind "ack" whose data carries the same `id` (and `ok: false` with a `reason`
when it could not comply). A command unanswered `timeout_s` after sending fails and raises an
alert. The id is sent again unchanged if publishing is retried, so devices can ignore repeats.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.mqtt.topics import Channel, topic
from hub.domain import CommandStatus, Severity
from hub.services import alerts
from hub.services.alerts import AlertRequest
from hub.storage.models import Device, DeviceCommand, Site, User
from rules.facts import Observation

ACK_EVENT = "ack"
TIMEOUT_RULE = "command-timeout"


@dataclass(frozen=True)
class Outgoing:
    """A command ready to publish: where and what."""

    command_id: str
    topic: str
    payload: dict[str, Any]


def request(
    session: Session,
    device: Device,
    command: str,
    *,
    params: Mapping[str, Any],
    reason: str,
    now: datetime,
    rule_id: str | None = None,
    by: User | None = None,
    timeout_s: int = 30,
) -> DeviceCommand:
    """Store a command for the dispatcher to send (the audit record)."""
    row = DeviceCommand(
        command_id=secrets.token_hex(8),
        site_id=device.site_id,
        device_id=device.id,
        command=command,
        params=dict(params),
        reason=reason,
        rule_id=rule_id,
        requested_by_id=by.id if by else None,
        status=CommandStatus.PENDING,
        timeout_s=timeout_s,
        attempts=0,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def outgoing(session: Session, prefix: str, *, limit: int = 100) -> list[Outgoing]:
    """Pending commands with their topic and payload, oldest first."""
    rows = session.execute(
        select(DeviceCommand, Device.code, Site.code)
        .join(Device, Device.id == DeviceCommand.device_id)
        .join(Site, Site.id == DeviceCommand.site_id)
        .where(DeviceCommand.status == CommandStatus.PENDING)
        .order_by(DeviceCommand.id)
        .limit(limit)
    )
    return [
        Outgoing(
            command.command_id,
            topic(prefix, site_code, device_code, Channel.COMMAND),
            {
                "id": command.command_id,
                "command": command.command,
                "params": command.params,
                "ts": round(command.created_at.timestamp() * 1000),
            },
        )
        for command, device_code, site_code in rows
    ]


def mark_sent(session: Session, command_id: str, *, now: datetime) -> None:
    """Published: the acknowledgement clock starts now (an ack may already have come)."""
    command = _by_command_id(session, command_id)
    if command is not None and command.status is CommandStatus.PENDING:
        command.status = CommandStatus.SENT
        command.sent_at = now
    if command is not None:
        command.attempts += 1


def acknowledge(
    session: Session,
    device_id: int,
    command_id: str,
    *,
    now: datetime,
    data: Mapping[str, Any] | None = None,
) -> DeviceCommand | None:
    """The device answered; None if the id is unknown, not this device's, or already settled."""
    command = _by_command_id(session, command_id)
    if command is None or command.device_id != device_id:
        return None
    if command.status not in (CommandStatus.PENDING, CommandStatus.SENT):
        return None
    command.result = dict(data or {})
    if (data or {}).get("ok", True) is False:
        _fail(session, command, f"device refused: {(data or {}).get('reason', 'no reason')}", now)
    else:
        command.status = CommandStatus.ACKNOWLEDGED
        command.acknowledged_at = now
    session.flush()
    return command


def acknowledge_events(session: Session, observation: Observation, *, now: datetime) -> int:
    """Settle the commands answered by the "ack" events of one message; returns how many."""
    settled = 0
    for event in observation.events:
        command_id = event.data.get("id")
        if event.kind == ACK_EVENT and isinstance(command_id, str):
            done = acknowledge(session, observation.device.id, command_id, now=now, data=event.data)
            settled += done is not None
    return settled


def expire(session: Session, *, now: datetime) -> list[DeviceCommand]:
    """Fail (with an alert) every sent command whose answer is overdue."""
    sent = session.scalars(select(DeviceCommand).where(DeviceCommand.status == CommandStatus.SENT))
    overdue = [
        c
        for c in sent
        if c.sent_at is not None and c.sent_at + timedelta(seconds=c.timeout_s) <= now
    ]
    for command in overdue:
        _fail(session, command, f"no acknowledgement within {command.timeout_s} s", now)
    return overdue


def _fail(session: Session, command: DeviceCommand, error: str, now: datetime) -> None:
    command.status = CommandStatus.FAILED
    command.failed_at = now
    command.error = error
    device = session.get(Device, command.device_id)
    assert device is not None
    alert, _ = alerts.raise_alert(
        session,
        AlertRequest(
            site_id=command.site_id,
            rule_id=TIMEOUT_RULE,
            dedup_key=f"{TIMEOUT_RULE}:{command.command_id}",
            severity=Severity.MAJOR,
            title=f"设备指令失败 Device command failed: {command.command} → {device.name}",
            reason=error,
            location=device.location,
            device_id=device.id,
        ),
        now=now,
    )
    command.alert_id = alert.id
    session.flush()


def _by_command_id(session: Session, command_id: str) -> DeviceCommand | None:
    return session.scalars(
        select(DeviceCommand).where(DeviceCommand.command_id == command_id)
    ).one_or_none()
