"""The audit log (审计日志): admins search who saw or changed what."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel

from api.deps import ContextDep, SessionDep, require_role
from api.params import DB_ID_MAX, BeforeId, KeyedPage, next_before_id
from hub.domain import Role
from hub.services import audit, read_audit
from hub.storage.models import User

router = APIRouter(prefix="/audit", tags=["audit"])

Admin = Annotated[User, Depends(require_role(Role.ADMIN))]


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    user_id: int | None
    username: str | None
    action: str
    target: str
    detail: str


class AuditPage(KeyedPage):
    items: list[AuditEntryOut]
    total: int


@router.get("")
def search_audit(
    session: SessionDep,
    context: ContextDep,
    admin: Admin,
    user_id: Annotated[int | None, Query(ge=1, le=DB_ID_MAX)] = None,
    action: Annotated[str | None, Query(max_length=64, description="e.g. pii_read")] = None,
    target: Annotated[
        str | None, Query(max_length=128, description="prefix, e.g. work_order:12")
    ] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: BeforeId = None,
) -> AuditPage:
    """Newest first, a page at a time. Reading the log is itself logged."""
    where = audit.AuditFilter(
        user_id=user_id, action=action, target=target, since=since, until=until
    )
    rows, total = audit.search(session, where, limit=limit, before_id=before_id)
    read_audit.staff_read(session, admin, at=context.clock.now(), target="audit")
    items = [
        AuditEntryOut(
            id=entry.id,
            at=entry.at,
            user_id=entry.user_id,
            username=username,
            action=entry.action,
            target=entry.target,
            detail=entry.detail,
        )
        for entry, username in rows
    ]
    cursor = next_before_id([item.id for item in items], limit)
    return AuditPage(items=items, total=total, next_before_id=cursor)
