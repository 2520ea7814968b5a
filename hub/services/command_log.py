"""The command audit view: every device command, who or which rule asked, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.domain import CommandStatus
from hub.storage.models import Device, DeviceCommand, User


@dataclass(frozen=True)
class CommandFilter:
    """What the log is narrowed by; `who` is a username or a rule id, `since`/`until` bound
    when the command was asked for ([since, until))."""

    device_id: int | None = None
    status: CommandStatus | None = None
    since: datetime | None = None
    until: datetime | None = None
    who: str | None = None


@dataclass(frozen=True)
class LoggedCommand:
    command: DeviceCommand
    device: Device
    username: str | None  # who asked; None: a rule did


def search(
    session: Session, where: CommandFilter, *, limit: int, before_id: int | None = None
) -> list[LoggedCommand]:
    """Newest first, `limit` at a time, keyed by id."""
    query = (
        select(DeviceCommand, Device, User.username)
        .join(Device, Device.id == DeviceCommand.device_id)
        .outerjoin(User, User.id == DeviceCommand.requested_by_id)
    )
    if where.device_id is not None:
        query = query.where(DeviceCommand.device_id == where.device_id)
    if where.status is not None:
        query = query.where(DeviceCommand.status == where.status)
    if where.since is not None:
        query = query.where(DeviceCommand.created_at >= where.since)
    if where.until is not None:
        query = query.where(DeviceCommand.created_at < where.until)
    if where.who:
        query = query.where(or_(User.username == where.who, DeviceCommand.rule_id == where.who))
    if before_id is not None:
        query = query.where(DeviceCommand.id < before_id)
    rows = session.execute(query.order_by(DeviceCommand.id.desc()).limit(limit))
    return [LoggedCommand(command, device, username) for command, device, username in rows]
