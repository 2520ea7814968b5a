"""Control-room alerts: list (active or history) and acknowledge."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import ContextDep, SessionDep, require_role
from api.params import ObjectId
from hub.domain import Role
from hub.services import alerts, audit
from hub.storage.models import User

router = APIRouter(prefix="/alerts", tags=["alerts"])

Viewer = Annotated[User, Depends(require_role(Role.OPERATOR, Role.ADMIN, Role.GUARD))]
Handler = Annotated[User, Depends(require_role(Role.OPERATOR, Role.ADMIN))]


@router.get("")
def list_alerts(
    session: SessionDep,
    _: Viewer,
    show_all: Annotated[bool, Query(alias="all", description="include cleared (history)")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """Newest first; active only unless `all=true`."""
    found = alerts.list_alerts(session, active_only=not show_all, limit=limit)
    return [alerts.alert_view(alert) for alert in found]


@router.post("/{alert_id}/acknowledge")
def acknowledge(
    alert_id: ObjectId, session: SessionDep, context: ContextDep, user: Handler
) -> dict[str, Any]:
    """Record who acknowledged and when; every open console sees it on the live feed."""
    now = context.clock.now()
    alert = alerts.acknowledge(session, alert_id, by=user, now=now)
    audit.record(session, at=now, user_id=user.id, action="acknowledge", target=f"alert:{alert_id}")
    return alerts.alert_view(alert)
