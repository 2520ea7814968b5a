"""Notices (通知公告): customer service and admins publish to the site, chosen buildings or
chosen homes, withdraw them and read the receipts; owners read theirs."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import IdField, ObjectId
from api.routers.site_plans import SiteOut, sites_with_buildings
from hub.domain import Role
from hub.services import audit, notice_audience, notices
from hub.services.notice_audience import ReceiptsOut
from hub.services.notices import NoticeOut
from hub.storage.models import User

router = APIRouter(prefix="/notices", tags=["notices"])

_PUBLISHERS = (Role.CUSTOMER_SERVICE, Role.ADMIN)
Publisher = Annotated[User, Depends(require_role(*_PUBLISHERS))]
Reader = Annotated[User, Depends(require_role(*_PUBLISHERS, Role.OWNER))]
Owner = Annotated[User, Depends(require_role(Role.OWNER))]


class NoticeCreate(BaseModel):
    title: str = Field(max_length=200)
    body: str = Field(max_length=10_000)
    building_ids: list[IdField] = Field(
        default=[], max_length=500, description="the buildings it is for; empty: the whole site"
    )
    building_id: IdField | None = Field(default=None, description="one building (same as [id])")
    unit: str = Field(
        default="", max_length=32, description="with buildings: only their homes in this 单元"
    )
    home_ids: list[IdField] = Field(
        default=[], max_length=2000, description="the homes it is for (not with building_ids)"
    )
    site_id: IdField | None = Field(default=None, description="needed only when several sites")
    pinned: bool = Field(default=False, description="shown above the others")
    emergency: bool = Field(
        default=False, description="pinned, and pushed to the owners' inbox and by SMS"
    )
    expires_at: AwareDatetime | None = Field(default=None, description="owners stop seeing it then")


class NoticeWithdraw(BaseModel):
    reason: str = Field(min_length=1, max_length=200, description="shown to staff")


@router.post("", status_code=201)
def publish(
    body: NoticeCreate, session: SessionDep, context: ContextDep, user: Publisher
) -> NoticeOut:
    now = context.clock.now()
    chosen = [*body.building_ids, *([body.building_id] if body.building_id else [])]
    notice = notices.publish(
        session,
        title=body.title,
        body=body.body,
        building_ids=chosen,
        unit=body.unit,
        home_ids=body.home_ids,
        site_id=body.site_id,
        pinned=body.pinned,
        emergency=body.emergency,
        expires_at=body.expires_at.astimezone(UTC) if body.expires_at else None,
        by=user,
        now=now,
    )
    detail = ""
    if notice.emergency:
        detail = f"emergency, pushed to {notice_audience.push_emergency(session, notice, now=now)}"
    audit.record(
        session,
        at=now,
        user_id=user.id,
        action="publish",
        target=f"notice:{notice.id}",
        detail=detail,
    )
    return notices.notice_views(session, [notice], user)[0]


@router.get("")
def list_notices(
    session: SessionDep,
    context: ContextDep,
    user: Reader,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[NoticeOut]:
    """Pinned first, then newest: all for staff (with read counts, expired and withdrawn ones
    too); for an owner, current site-wide ones and their buildings' and homes' only."""
    found = notices.list_for(session, user, now=context.clock.now(), limit=limit)
    return notices.notice_views(session, found, user)


@router.get("/audiences")
def audiences(session: SessionDep, _: Publisher) -> list[SiteOut]:
    """The sites and their buildings a notice can be addressed to."""
    return sites_with_buildings(session)


@router.get("/{notice_id}")
def get_notice(
    notice_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader
) -> NoticeOut:
    notice = notices.get_visible_or_raise(session, notice_id, user, now=context.clock.now())
    return notices.notice_views(session, [notice], user)[0]


@router.get("/{notice_id}/receipts")
def receipts(
    notice_id: ObjectId, session: SessionDep, context: ContextDep, user: Publisher
) -> ReceiptsOut:
    """Every owner the notice is addressed to and when each opened it, unread first."""
    notice = notices.get_visible_or_raise(session, notice_id, user, now=context.clock.now())
    return notice_audience.receipts(session, notice)


@router.post("/{notice_id}/withdraw")
def withdraw(
    notice_id: ObjectId,
    body: NoticeWithdraw,
    session: SessionDep,
    context: ContextDep,
    user: Publisher,
) -> NoticeOut:
    """Take the notice back: owners stop seeing it at once."""
    now = context.clock.now()
    notice = notices.get_visible_or_raise(session, notice_id, user, now=now)
    notices.withdraw(session, notice, by=user, reason=body.reason, now=now)
    audit.record(
        session,
        at=now,
        user_id=user.id,
        action="withdraw",
        target=f"notice:{notice.id}",
        detail=body.reason,
    )
    return notices.notice_views(session, [notice], user)[0]


@router.post("/{notice_id}/read", status_code=204)
def mark_read(notice_id: ObjectId, session: SessionDep, context: ContextDep, owner: Owner) -> None:
    """The owner opened the notice: counted once in its read count."""
    notice = notices.get_visible_or_raise(session, notice_id, owner, now=context.clock.now())
    notices.mark_read(session, notice, owner, now=context.clock.now())
