"""Maintenance plans and their checklists: a plan covers one asset, or every asset of a class
in its estate, on a calendar or a usage trigger."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import (
    AssetClass,
    AssetStatus,
    CalendarUnit,
    ChecklistKind,
    MaintenanceTrigger,
    UsageCounter,
)
from hub.errors import Conflict, InvalidInput, NotFound
from hub.services import assets, audit
from hub.storage.models import Asset, MaintenancePlan, MaintenanceTask, User

Label = Annotated[str, Field(min_length=1, max_length=200)]
Quantity = Annotated[Decimal, Field(max_digits=20, decimal_places=6)]  # the QUANTITY column
ID_MAX = 2**31 - 1


class ChecklistItem(BaseModel):
    """One thing the technician checks: pass/fail, or a measured value within limits; either
    may require a photo."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: Label
    kind: ChecklistKind = ChecklistKind.PASS_FAIL
    unit: str = Field(default="", max_length=32)
    min: Quantity | None = None
    max: Quantity | None = None
    photo_required: bool = False

    @model_validator(mode="after")
    def _limits(self) -> Self:
        if self.kind is ChecklistKind.PASS_FAIL and (self.min is not None or self.max is not None):
            raise ValueError(f"{self.label}: limits are for measured items only")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"{self.label}: min is above max")
        return self


class PlanData(BaseModel):
    """The editable fields of a plan, as the API or the site file gives them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=64)
    name: Label
    asset_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    asset_class: AssetClass | None = None
    trigger: MaintenanceTrigger = MaintenanceTrigger.CALENDAR
    every: int | None = Field(default=None, ge=1, le=1000)
    unit: CalendarUnit | None = None
    anchor: date | None = None
    counter: UsageCounter | None = None
    metric: str | None = Field(default=None, min_length=1, max_length=64)
    usage_every: Quantity | None = Field(default=None, gt=0)
    lead_days: int = Field(default=7, ge=0, le=365)
    window_days: int = Field(default=3, ge=1, le=365)
    category: str = Field(min_length=1, max_length=64)
    checklist: list[ChecklistItem] = Field(default=[], max_length=50)
    active: bool = True

    @model_validator(mode="after")
    def _shape(self) -> Self:
        calendar = (self.every, self.unit, self.anchor)
        usage = (self.counter, self.metric, self.usage_every)
        if self.trigger is MaintenanceTrigger.CALENDAR:
            if None in calendar or any(v is not None for v in usage):
                raise ValueError("a calendar plan has every, unit and anchor (and no usage)")
        elif None in usage or any(v is not None for v in calendar):
            raise ValueError("a usage plan has counter, metric and usage_every (and no calendar)")
        return self


def get_or_raise(session: Session, plan_id: int) -> MaintenancePlan:
    plan = session.get(MaintenancePlan, plan_id)
    if plan is None:
        raise NotFound(f"maintenance plan {plan_id} not found")
    return plan


def by_code(session: Session, site_id: int, code: str) -> MaintenancePlan | None:
    return session.scalars(
        select(MaintenancePlan).where(
            MaintenancePlan.site_id == site_id, MaintenancePlan.code == code
        )
    ).one_or_none()


def _check(session: Session, site_id: int, data: PlanData, plan_id: int | None) -> None:
    if (data.asset_id is None) == (data.asset_class is None):
        raise InvalidInput(
            "plan: name one asset (asset_id) or an asset class, not both; 请选择设施或设施类别",
            code="pm_target",
        )
    if data.asset_id is not None:
        asset = session.get(Asset, data.asset_id)
        if asset is None or asset.site_id != site_id:
            raise InvalidInput(
                f"plan: asset {data.asset_id} is not in estate {site_id}; 设备不属于该小区",
                code="pm_asset_other_estate",
            )
    other = by_code(session, site_id, data.code)
    if other is not None and other.id != plan_id:
        raise Conflict(f"plan: code {data.code!r} is taken; 计划编号已存在", code="pm_code_taken")


def _values(data: PlanData) -> dict[str, object]:
    values = data.model_dump(exclude={"checklist"})
    values["checklist"] = [item.model_dump(mode="json") for item in data.checklist]
    return values


def create(
    session: Session, *, site_id: int, data: PlanData, by: User | None, now: datetime
) -> MaintenancePlan:
    """A new plan; `by` None: the site file."""
    assets.site_or_raise(session, site_id)
    _check(session, site_id, data, None)
    plan = MaintenancePlan(site_id=site_id, created_at=now, updated_at=now, **_values(data))
    session.add(plan)
    session.flush()
    _audit(session, plan, "create_maintenance_plan", by, now)
    return plan


def update(
    session: Session, plan: MaintenancePlan, data: PlanData, *, by: User | None, now: datetime
) -> MaintenancePlan:
    """The plan's fields replaced by `data`; tasks already made keep their window and checklist."""
    _check(session, plan.site_id, data, plan.id)
    for name, value in _values(data).items():
        setattr(plan, name, value)
    plan.updated_at = now
    session.flush()
    _audit(session, plan, "update_maintenance_plan", by, now)
    return plan


def upsert(
    session: Session, *, site_id: int, data: PlanData, by: User | None, now: datetime
) -> MaintenancePlan:
    plan = by_code(session, site_id, data.code)
    if plan is None:
        return create(session, site_id=site_id, data=data, by=by, now=now)
    if data_of(plan) == data:
        return plan
    return update(session, plan, data, by=by, now=now)


def delete(session: Session, plan: MaintenancePlan, *, by: User, now: datetime) -> None:
    """Remove a plan that has made no task yet; one with tasks is deactivated instead."""
    used = session.scalar(select(MaintenanceTask.id).where(MaintenanceTask.plan_id == plan.id))
    if used is not None:
        raise Conflict(
            f"plan {plan.id} has tasks: deactivate it instead; 计划已有任务, 请停用",
            code="pm_plan_has_tasks",
        )
    _audit(session, plan, "delete_maintenance_plan", by, now)
    session.delete(plan)
    session.flush()


def data_of(plan: MaintenancePlan) -> PlanData:
    fields = {name: getattr(plan, name) for name in PlanData.model_fields}
    return PlanData.model_validate(fields)


def checklist_of(plan: MaintenancePlan) -> list[ChecklistItem]:
    return [ChecklistItem.model_validate(item) for item in plan.checklist]


def list_plans(session: Session, *, site_id: int | None = None) -> list[MaintenancePlan]:
    query = select(MaintenancePlan).order_by(MaintenancePlan.site_id, MaintenancePlan.code)
    if site_id is not None:
        query = query.where(MaintenancePlan.site_id == site_id)
    return list(session.scalars(query))


def assets_of(session: Session, plan: MaintenancePlan) -> list[Asset]:
    """The assets the plan maintains now: its asset, or those of its class; retired ones never."""
    query = select(Asset).where(Asset.site_id == plan.site_id, Asset.status != AssetStatus.RETIRED)
    if plan.asset_id is not None:
        query = query.where(Asset.id == plan.asset_id)
    else:
        query = query.where(Asset.asset_class == plan.asset_class)
    return list(session.scalars(query.order_by(Asset.code)))


def _audit(
    session: Session, plan: MaintenancePlan, action: str, by: User | None, now: datetime
) -> None:
    audit.record(
        session,
        at=now,
        user_id=by.id if by else None,
        action=action,
        target=f"maintenance_plan:{plan.id}",
        detail=plan.code,
    )
