"""Patrol (巡更): guards start rounds and scan checkpoints from their phone; the control room
follows the scans."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from pydantic import BaseModel, Field

from adapters.camera.qr import decode_qr
from api.deps import ContextDep, SessionDep, require_role
from hub.domain import Role, ScanSource
from hub.services import patrol, uploads
from hub.storage.models import User

router = APIRouter(prefix="/patrol", tags=["patrol"])

Guard = Annotated[User, Depends(require_role(Role.GUARD))]
Watcher = Annotated[User, Depends(require_role(Role.OPERATOR, Role.ADMIN, Role.GUARD))]


class RoundIn(BaseModel):
    route_code: str
    site_code: str | None = None


class ScanIn(BaseModel):
    checkpoint_code: str = Field(min_length=1, max_length=64)
    site_code: str | None = None


@router.get("/routes")
def routes(session: SessionDep, user: Watcher) -> list[dict[str, Any]]:
    """Route codes and names, for the guard's start-a-round menu."""
    return [{"code": r.code, "name": r.name} for r in patrol.list_routes(session)]


@router.post("/rounds", status_code=201)
def start_round(
    body: RoundIn, session: SessionDep, context: ContextDep, guard: Guard
) -> dict[str, Any]:
    now = context.clock.now()
    site = patrol.site_for(session, site_code=body.site_code, guard=guard, now=now)
    patrol_round = patrol.start_round(
        session, route_code=body.route_code, site_id=site.id, guard=guard, now=now
    )
    return patrol.round_view(session, patrol_round, now=now)


@router.get("/rounds/current")
def current_round(session: SessionDep, context: ContextDep, guard: Guard) -> dict[str, Any] | None:
    """The guard's round in progress with its stops, or null."""
    now = context.clock.now()
    patrol_round = patrol.current_round(session, guard, now=now)
    return None if patrol_round is None else patrol.round_view(session, patrol_round, now=now)


def _scan(
    session: SessionDep,
    context: ContextDep,
    guard: User,
    *,
    code: str,
    site_code: str | None,
    source: ScanSource,
) -> dict[str, Any]:
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
    return patrol.scan_result_view(session, scan)


@router.post("/scans", status_code=201)
def scan_code(body: ScanIn, session: SessionDep, context: ContextDep, guard: Guard) -> Any:
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
) -> Any:
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
) -> list[dict[str, Any]]:
    """Newest first; a guard sees only their own scans."""
    return [
        patrol.scan_view(session, scan) for scan in patrol.list_scans(session, user, limit=limit)
    ]
