"""Maintenance records (维修记录) on work orders that repair an asset: the technician writes it,
the estate confirms the record of an order nobody requested, staff set the asset repaired."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import IdField, ObjectId
from hub.domain import FailureCause, RepairRemedy, Role
from hub.services import maintenance_records, work_order_assets, work_orders
from hub.services.maintenance_record_views import MaintenanceRecordOut
from hub.services.work_order_views import WorkOrderOut
from hub.storage.models import User

router = APIRouter(prefix="/work-orders", tags=["maintenance records"])

Technician = Annotated[User, Depends(require_role(Role.TECHNICIAN))]
EstateConfirmer = Annotated[User, Depends(require_role(Role.OPERATOR, Role.ADMIN))]
AssetSetter = Annotated[
    User, Depends(require_role(Role.CUSTOMER_SERVICE, Role.OPERATOR, Role.ADMIN))
]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


class LabourIn(BaseModel):
    technician_id: IdField
    minutes: int = Field(ge=0, le=10_000)


class PartIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit_price: Money


class RecordIn(BaseModel):
    """The whole record; saving again replaces it (until it is confirmed)."""

    cause: FailureCause
    remedy: RepairRemedy
    note: str = Field(default="", max_length=4000)
    other_cost: Money = Decimal("0.00")
    labour: list[LabourIn] = Field(default=[], max_length=20, description="per technician")
    parts: list[PartIn] = Field(default=[], max_length=100)


class EstateConfirmation(BaseModel):
    note: str = Field(default="", max_length=2000, description="shown in the timeline")


class AssetChoice(BaseModel):
    asset_id: IdField | None = Field(description="null: none (only while there is no record)")


@router.put("/{order_id}/record")
def write_record(
    order_id: ObjectId, body: RecordIn, session: SessionDep, context: ContextDep, user: Technician
) -> MaintenanceRecordOut:
    """The assigned technician writes the record while the order is in progress: labour, parts,
    cause and remedy codes, a note. The costs are computed; completion needs a record."""
    order = work_orders.get_visible_or_raise(session, order_id, user)
    data = maintenance_records.RecordData(
        cause=body.cause,
        remedy=body.remedy,
        note=body.note,
        other_cost=body.other_cost,
        labour=[maintenance_records.LabourLine(ln.technician_id, ln.minutes) for ln in body.labour],
        parts=[maintenance_records.PartLine(p.name, p.quantity, p.unit_price) for p in body.parts],
    )
    record = maintenance_records.write(session, order, data, by=user, now=context.clock.now())
    return MaintenanceRecordOut.of(record)


@router.post("/{order_id}/record/confirm")
def confirm_for_estate(
    order_id: ObjectId,
    body: EstateConfirmation,
    session: SessionDep,
    context: ContextDep,
    user: EstateConfirmer,
) -> WorkOrderOut:
    """The operator or admin confirms a completed asset's order nobody requested (a rule's,
    staff's) and its record, for the estate; the owner who asked confirms their own."""
    now = context.clock.now()
    order = work_orders.confirm_for_estate(session, order_id, note=body.note, by=user, now=now)
    return WorkOrderOut.of(order, now=now)


@router.put("/{order_id}/asset")
def set_asset(
    order_id: ObjectId,
    body: AssetChoice,
    session: SessionDep,
    context: ContextDep,
    user: AssetSetter,
) -> WorkOrderOut:
    """Set or correct the asset (设施) an order repairs, one of its own estate; in its history."""
    now = context.clock.now()
    order = work_orders.get_visible_or_raise(session, order_id, user)
    order = work_order_assets.set_asset(session, order, body.asset_id, by=user, now=now)
    return WorkOrderOut.of(order, now=now)
