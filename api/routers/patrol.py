"""Patrol (巡更): guards start rounds and scan checkpoints from their phone; the control room
follows the scans."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile
from pydantic import BaseModel, Field

from adapters.camera.qr import decode_qr
from api.deps import ContextDep, SessionDep, require_role
from hub.domain import Role, ScanSource
from hub.services import patrol, uploads
from hub.services.patrol import RoundStatus, ScanOutcome, StopStatus
from hub.storage.models import User

router = APIRouter(prefix="/patrol", tags=["patrol"])

Guard = Annotated[User, Depends(require_role(Role.GUARD))]
Watcher = Annotated[User, Depends(require_role(Role.OPERATOR, Role.ADMIN, Role.GUARD))]


class RouteOut(BaseModel):
    code: str
    name: str


class StopOut(BaseModel):
    id: int
    seq: int = Field(description="its place on the route, from 1")
    checkpoint_code: str
    checkpoint_name: str
    due_from: datetime
    due_until: datetime
    scanned_at: datetime | None
    late_scan_at: datetime | None = Field(
        description="missed, but scanned after its window closed (within an hour)"
    )
    status: StopStatus


class RoundOut(BaseModel):
    id: int
    route_code: str
    route_name: str
    site_code: str
    guard_id: int | None
    guard: str | None = Field(description="username")
    guard_name: str | None
    starts_at: datetime
    ends_at: datetime = Field(description="when the last stop's window closes")
    status: RoundStatus
    next_stop: StopOut | None = Field(description="the stop to walk to; null when none is left")
    scanned: int = Field(description="stops scanned in their window")
    missed: int = Field(description="stops whose window closed unscanned")
    late: int = Field(description="missed stops the guard scanned after their window")
    stops: list[StopOut]


class ScanOut(BaseModel):
    """A scan, as the list and the live feed's "patrol.scan" events carry it."""

    id: int
    checkpoint_code: str
    checkpoint_name: str
    scanned_at: datetime
    source: ScanSource
    guard: str | None = Field(description="username; null for a fixed reader")
    device_id: int | None
    in_window: bool
    stop_id: int | None
    round_id: int | None
    seq: int | None


class ScanResultOut(ScanOut):
    """The scan and what it meant for the guard who made it."""

    outcome: ScanOutcome
    message: str = Field(description="in words (Chinese and English); pages translate outcome")
    skipped: list[int] = Field(
        description="counted, but these earlier stops (seq) are still unscanned: out of order"
    )
    expected: StopOut | None = Field(description="the stop the guard's round expects now")


class RoundIn(BaseModel):
    route_code: str
    site_code: str | None = None


class ScanIn(BaseModel):
    checkpoint_code: str = Field(min_length=1, max_length=64)
    site_code: str | None = None


@router.get("/routes")
def routes(session: SessionDep, user: Watcher) -> list[RouteOut]:
    """Route codes and names, for the guard's start-a-round menu."""
    return [RouteOut(code=r.code, name=r.name) for r in patrol.list_routes(session)]


@router.post("/rounds", status_code=201)
def start_round(body: RoundIn, session: SessionDep, context: ContextDep, guard: Guard) -> RoundOut:
    now = context.clock.now()
    site = patrol.site_for(session, site_code=body.site_code, guard=guard, now=now)
    patrol_round = patrol.start_round(
        session, route_code=body.route_code, site_id=site.id, guard=guard, now=now
    )
    return RoundOut.model_validate(patrol.round_view(session, patrol_round, now=now))


@router.get("/rounds")
def rounds_today(session: SessionDep, context: ContextDep, user: Watcher) -> list[RoundOut]:
    """Newest first: today's rounds (the site's day) and any still running, each with its
    stops and how many were scanned, missed and scanned late; a guard sees only their own."""
    now = context.clock.now()
    return [
        RoundOut.model_validate(patrol.round_view(session, patrol_round, now=now))
        for patrol_round in patrol.rounds_of_day(session, user, now=now)
    ]


@router.get("/rounds/current")
def current_round(session: SessionDep, context: ContextDep, guard: Guard) -> RoundOut | None:
    """The guard's round in progress with its stops, or null."""
    now = context.clock.now()
    patrol_round = patrol.current_round(session, guard, now=now)
    if patrol_round is None:
        return None
    return RoundOut.model_validate(patrol.round_view(session, patrol_round, now=now))


def _scan(
    session: SessionDep,
    context: ContextDep,
    guard: User,
    *,
    code: str,
    site_code: str | None,
    source: ScanSource,
) -> ScanResultOut:
    now = context.clock.now()
    site = patrol.site_for(session, site_code=site_code, guard=guard, now=now)
    scan = patrol.record_scan(
        session,
        site_id=site.id,
        checkpoint_code=code.strip(),
        source=source,
        at=now,
        now=now,
        guard=guard,
    )
    return ScanResultOut.model_validate(patrol.scan_result_view(session, scan))


@router.post("/scans", status_code=201)
def scan_code(
    body: ScanIn, session: SessionDep, context: ContextDep, guard: Guard
) -> ScanResultOut:
    """A checkpoint code typed by the guard."""
    return _scan(
        session,
        context,
        guard,
        code=body.checkpoint_code,
        site_code=body.site_code,
        source=ScanSource.PHONE_CODE,
    )


@router.post("/scans/photo", status_code=201)
def scan_photo(
    session: SessionDep,
    context: ContextDep,
    guard: Guard,
    photo: Annotated[UploadFile, File(description="a photo of the checkpoint's QR label")],
    site_code: str | None = None,
) -> ScanResultOut:
    """A photo (JPEG or PNG) of the checkpoint's QR label, decoded on the hub, not kept.

    413 past the byte or pixel limit, 503 (Retry-After) while too many photos are being read."""
    settings = context.settings
    image = uploads.read_image(photo.file, max_bytes=settings.upload_max_bytes)
    with uploads.decoding(settings):
        code = decode_qr(image, max_pixels=settings.upload_max_pixels)
    return _scan(
        session, context, guard, code=code, site_code=site_code, source=ScanSource.PHONE_PHOTO
    )


@router.get("/scans")
def scans(
    session: SessionDep, user: Watcher, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[ScanOut]:
    """Newest first; a guard sees only their own scans."""
    return [
        ScanOut.model_validate(patrol.scan_view(session, scan))
        for scan in patrol.list_scans(session, user, limit=limit)
    ]
