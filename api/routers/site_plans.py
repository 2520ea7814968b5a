"""Site plans: an estate's plan and its buildings' floor plans, uploaded by an admin, and the
estates and buildings they belong to (for picking one)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import ContextDep, SessionDep, require_role
from api.params import DB_ID_MAX, ObjectId
from hub.domain import Role
from hub.errors import NotFound
from hub.services import audit, site_plans
from hub.storage.models import Building, Home, Site, SitePlan, User

router = APIRouter(prefix="/site-plans", tags=["site plans"])
sites_router = APIRouter(prefix="/sites", tags=["site plans"])

Viewer = Annotated[User, Depends(require_role(Role.ADMIN, Role.OPERATOR))]
# customer service too: it addresses notices and finds homes by estate and building
# Estates and buildings by name, for the staff who place, address and find things (technicians
# filter the equipment ledger by them); no home or owner is in them.
SiteReader = Annotated[
    User,
    Depends(require_role(Role.ADMIN, Role.OPERATOR, Role.CUSTOMER_SERVICE, Role.TECHNICIAN)),
]
Admin = Annotated[User, Depends(require_role(Role.ADMIN))]

# An image answer that can run nothing and fetch nothing, even opened on its own in a tab
IMAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-cache",
    "Content-Disposition": "inline",
}


class SitePlanOut(BaseModel):
    id: int
    site_id: int
    building_id: int | None = Field(description="null: the estate's site plan")
    floor: str = Field(description='e.g. "1F"; empty for the site plan')
    name: str
    media_type: str
    width: int | None = Field(
        description="pixels; an SVG's viewBox (or width) size; null if it declares none"
    )
    height: int | None
    size: int
    sha256: str
    uploaded_at: datetime


class BuildingOut(BaseModel):
    id: int
    code: str
    name: str
    units: list[str] = Field(description="its homes' 单元 (e.g. 1单元), sorted; empty: none")


class SiteOut(BaseModel):
    id: int
    code: str
    name: str
    buildings: list[BuildingOut]


def _out(plan: SitePlan) -> SitePlanOut:
    return SitePlanOut(
        id=plan.id,
        site_id=plan.site_id,
        building_id=plan.building_id,
        floor=plan.floor,
        name=plan.name,
        media_type=plan.media_type,
        width=plan.width,
        height=plan.height,
        size=plan.size,
        sha256=plan.sha256,
        uploaded_at=plan.uploaded_at,
    )


@router.post("", status_code=201)
def upload_plan(
    session: SessionDep,
    context: ContextDep,
    user: Admin,
    site_id: Annotated[int, Form(ge=1, le=DB_ID_MAX)],
    name: Annotated[str, Form(min_length=1, max_length=200)],
    file: Annotated[UploadFile, File(description="PNG, JPEG or SVG (no scripts or links out)")],
    building_id: Annotated[int | None, Form(ge=1, le=DB_ID_MAX)] = None,
    floor: Annotated[str, Form(max_length=32)] = "",
) -> SitePlanOut:
    """The estate's site plan (no building), or a building's floor plan; an upload for the same
    place replaces the image and keeps the devices placed on it."""
    if session.get(Site, site_id) is None:
        raise NotFound(f"estate {site_id} not found")
    checked = site_plans.read_plan(file.file, settings=context.settings)
    now = context.clock.now()
    plan = site_plans.save_plan(
        session,
        checked,
        site_id=site_id,
        building_id=building_id,
        floor=floor,
        name=name,
        by=user,
        now=now,
    )
    audit.record(
        session, at=now, user_id=user.id, action="upload_plan", target=f"site_plan:{plan.id}"
    )
    return _out(plan)


@router.get("")
def list_plans(
    session: SessionDep,
    _: Viewer,
    site_id: Annotated[int | None, Query(ge=1, le=DB_ID_MAX)] = None,
) -> list[SitePlanOut]:
    """Each estate's site plan first, then its buildings' floors."""
    return [_out(p) for p in site_plans.list_plans(session, site_id=site_id)]


@router.get(
    "/{plan_id}/image",
    response_class=Response,
    responses={200: {"content": {"image/png": {}, "image/jpeg": {}, "image/svg+xml": {}}}},
)
def get_image(plan_id: ObjectId, session: SessionDep, _: Viewer) -> Response:
    """The checked image as stored, under a policy that lets it run and fetch nothing."""
    plan = site_plans.get_or_raise(session, plan_id)
    return Response(plan.data, media_type=plan.media_type, headers=IMAGE_HEADERS)


@sites_router.get("")
def list_sites(session: SessionDep, _: SiteReader) -> list[SiteOut]:
    """The estates with their buildings, to pick a plan's place or a notice's audience."""
    return sites_with_buildings(session)


@sites_router.get("/{site_id}")
def get_site(site_id: ObjectId, session: SessionDep, _: SiteReader) -> SiteOut:
    """One estate with its buildings and their ids (its homes: GET /homes?site_id=)."""
    if session.get(Site, site_id) is None:
        raise NotFound(f"estate {site_id} not found")
    [found] = sites_with_buildings(session, site_id=site_id)
    return found


def sites_with_buildings(session: Session, *, site_id: int | None = None) -> list[SiteOut]:
    """Every estate (or the one `site_id`) with its buildings (also the audiences of a notice)."""
    in_site = select(Building.id).where(Building.site_id == site_id)
    units: dict[int, list[str]] = {}
    unit_query = select(Home.building_id, Home.unit).where(Home.unit != "")
    building_query = select(Building)
    site_query = select(Site)
    if site_id is not None:
        unit_query = unit_query.where(Home.building_id.in_(in_site))
        building_query = building_query.where(Building.site_id == site_id)
        site_query = site_query.where(Site.id == site_id)
    for building_id, unit in session.execute(unit_query.distinct().order_by(Home.unit)):
        units.setdefault(building_id, []).append(unit)
    buildings: dict[int, list[BuildingOut]] = {}
    for b in session.scalars(building_query.order_by(Building.code)):
        buildings.setdefault(b.site_id, []).append(
            BuildingOut(id=b.id, code=b.code, name=b.name, units=units.get(b.id, []))
        )
    return [
        SiteOut(id=s.id, code=s.code, name=s.name, buildings=buildings.get(s.id, []))
        for s in session.scalars(site_query.order_by(Site.code))
    ]
