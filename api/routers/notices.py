"""Notices (通知公告): staff publish to the site or one building; owners read theirs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import IdField, ObjectId
from hub.domain import Role
from hub.services import audit, notices
from hub.storage.models import User

router = APIRouter(prefix="/notices", tags=["notices"])

_PUBLISHERS = (Role.CUSTOMER_SERVICE, Role.ADMIN, Role.OPERATOR)
Publisher = Annotated[User, Depends(require_role(*_PUBLISHERS))]
Reader = Annotated[User, Depends(require_role(*_PUBLISHERS, Role.OWNER))]


class NoticeCreate(BaseModel):
    title: str = Field(max_length=200)
    body: str = Field(max_length=10_000)
    building_id: IdField | None = Field(default=None, description="omit for the whole site")
    site_id: IdField | None = Field(default=None, description="needed only when several sites")


@router.post("", status_code=201)
def publish(
    body: NoticeCreate, session: SessionDep, context: ContextDep, user: Publisher
) -> dict[str, Any]:
    now = context.clock.now()
    notice = notices.publish(
        session,
        title=body.title,
        body=body.body,
        building_id=body.building_id,
        site_id=body.site_id,
        by=user,
        now=now,
    )
    audit.record(session, at=now, user_id=user.id, action="publish", target=f"notice:{notice.id}")
    return notices.notice_view(session, notice)


@router.get("")
def list_notices(
    session: SessionDep, user: Reader, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[dict[str, Any]]:
    """Newest first: all for staff; for an owner, site-wide ones and their buildings' only."""
    return [notices.notice_view(session, n) for n in notices.list_for(session, user, limit=limit)]


@router.get("/{notice_id}")
def get_notice(notice_id: ObjectId, session: SessionDep, user: Reader) -> dict[str, Any]:
    return notices.notice_view(session, notices.get_visible_or_raise(session, notice_id, user))
