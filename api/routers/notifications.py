"""Notifications: everyone's own in-app inbox; the outbox's delivery status for supervisors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import ObjectId
from hub.domain import Role
from hub.services import outbox
from hub.storage.models import User
from hub.storage.models.notifications import InboxItem, OutboxMessage

router = APIRouter(prefix="/notifications", tags=["notifications"])

Anyone = Annotated[User, Depends(require_role(*Role))]
Supervisor = Annotated[User, Depends(require_role(Role.ADMIN, Role.OPERATOR))]


class InboxItemOut(BaseModel):
    """A notification in its recipient's inbox."""

    id: int
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, item: InboxItem) -> InboxItemOut:
        return cls(
            id=item.id,
            title=item.title,
            body=item.body,
            created_at=item.created_at,
            read_at=item.read_at,
        )


class OutboxMessageOut(BaseModel):
    """An outbox row and how its delivery went."""

    id: int
    recipient_id: int | None = Field(description="None: an SMS to an applicant for an account")
    title: str
    source: str
    alert_id: int | None
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def of(cls, message: OutboxMessage) -> OutboxMessageOut:
        return cls(
            id=message.id,
            recipient_id=message.recipient_id,
            title=message.title,
            source=message.source,
            alert_id=message.alert_id,
            status=message.status.value,
            attempts=message.attempts,
            last_error=message.last_error,
            created_at=message.created_at,
            delivered_at=message.delivered_at,
        )


@router.get("")
def my_notifications(
    session: SessionDep,
    user: Anyone,
    unread: Annotated[bool, Query(description="only those not yet read")] = False,
) -> list[InboxItemOut]:
    """The caller's own notifications, newest first."""
    return [InboxItemOut.of(item) for item in outbox.inbox(session, user, unread_only=unread)]


@router.post("/{item_id}/read")
def mark_read(
    item_id: ObjectId, session: SessionDep, context: ContextDep, user: Anyone
) -> InboxItemOut:
    """Mark one of the caller's notifications read; anyone else's answers 404."""
    return InboxItemOut.of(outbox.mark_read(session, item_id, user=user, now=context.clock.now()))


@router.get("/outbox")
def delivery_status(
    session: SessionDep,
    _: Supervisor,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[OutboxMessageOut]:
    """Every outbox row with its delivery status and attempts, newest first."""
    return [OutboxMessageOut.of(message) for message in outbox.outbox_rows(session, limit=limit)]
