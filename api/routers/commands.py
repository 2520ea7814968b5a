"""The command audit view (指令记录): every device command, by whom or which rule, and its end."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import BeforeId, KeyedPage, QueryId, next_before_id
from hub.domain import CommandStatus, Role
from hub.errors import BadRange
from hub.services import command_log, read_audit
from hub.storage.models import User

router = APIRouter(prefix="/commands", tags=["devices"])

Viewer = Annotated[User, Depends(require_role(Role.ADMIN, Role.OPERATOR))]


class CommandLogOut(BaseModel):
    id: int
    command_id: str = Field(description="the id sent to the device, echoed in its ack")
    device_id: int
    device_code: str
    device_name: str
    site_id: int
    command: str
    params: dict[str, Any] = Field(description="the payload's parameters, as sent")
    reason: str
    requested_by: str | None = Field(description="the user's username; null: a rule asked")
    rule_id: str | None
    status: CommandStatus
    attempts: int = Field(description="times published")
    timeout_s: int
    created_at: datetime
    sent_at: datetime | None
    acknowledged_at: datetime | None
    failed_at: datetime | None = Field(description="timed out, or refused by the device")
    error: str | None
    result: dict[str, Any] | None = Field(description="the device's acknowledgement data")
    alert_id: int | None = Field(description="the alarm a time-out raised")


class CommandPage(KeyedPage):
    items: list[CommandLogOut]


def _out(found: command_log.LoggedCommand) -> CommandLogOut:
    row, device = found.command, found.device
    return CommandLogOut(
        id=row.id,
        command_id=row.command_id,
        device_id=device.id,
        device_code=device.code,
        device_name=device.name,
        site_id=row.site_id,
        command=row.command,
        params=row.params,
        reason=row.reason,
        requested_by=found.username,
        rule_id=row.rule_id,
        status=row.status,
        attempts=row.attempts,
        timeout_s=row.timeout_s,
        created_at=row.created_at,
        sent_at=row.sent_at,
        acknowledged_at=row.acknowledged_at,
        failed_at=row.failed_at,
        error=row.error,
        result=row.result,
        alert_id=row.alert_id,
    )


@router.get("")
def list_commands(
    session: SessionDep,
    context: ContextDep,
    user: Viewer,
    device_id: QueryId = None,
    status: CommandStatus | None = None,
    since: Annotated[
        AwareDatetime | None, Query(alias="from", description="asked at or after")
    ] = None,
    until: Annotated[AwareDatetime | None, Query(alias="to", description="asked before")] = None,
    who: Annotated[str | None, Query(max_length=128, description="a username or a rule id")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: BeforeId = None,
) -> CommandPage:
    """Every device command, newest first, a page at a time. Reading it is logged."""
    if since is not None and until is not None and until <= since:
        raise BadRange
    where = command_log.CommandFilter(device_id, status, since, until, who)
    items = [_out(c) for c in command_log.search(session, where, limit=limit, before_id=before_id)]
    read_audit.staff_read(session, user, at=context.clock.now(), target="commands")
    return CommandPage(items=items, next_before_id=next_before_id([i.id for i in items], limit))
