"""Notifications: everyone's own in-app inbox; the outbox's delivery status for supervisors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import ContextDep, SessionDep, require_role
from api.params import ObjectId
from hub.domain import Role
from hub.services import outbox
from hub.storage.models import User

router = APIRouter(prefix="/notifications", tags=["notifications"])

Anyone = Annotated[User, Depends(require_role(*Role))]
Supervisor = Annotated[User, Depends(require_role(Role.ADMIN, Role.OPERATOR))]


@router.get("")
def my_notifications(
    session: SessionDep,
    user: Anyone,
    unread: Annotated[bool, Query(description="only those not yet read")] = False,
) -> list[dict[str, Any]]:
    """The caller's own notifications, newest first."""
    return [outbox.inbox_view(item) for item in outbox.inbox(session, user, unread_only=unread)]


@router.post("/{item_id}/read")
def mark_read(
    item_id: ObjectId, session: SessionDep, context: ContextDep, user: Anyone
) -> dict[str, Any]:
    """Mark one of the caller's notifications read; anyone else's answers 404."""
    item = outbox.mark_read(session, item_id, user=user, now=context.clock.now())
    return outbox.inbox_view(item)


@router.get("/outbox")
def delivery_status(
    session: SessionDep,
    _: Supervisor,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """Every outbox row with its delivery status and attempts, newest first."""
    return [outbox.outbox_view(message) for message in outbox.outbox_rows(session, limit=limit)]
