"""The maintenance record as people see it: on the order's page and in an asset's history."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from hub.domain import FailureCause, RepairRemedy
from hub.services.maintenance_records import part_cost, parts_cost, total_cost
from hub.services.person_views import PersonRef
from hub.storage.models import MaintenanceRecord


class LabourOut(BaseModel):
    technician: PersonRef
    minutes: int


def plain(quantity: Decimal) -> Decimal:
    """A stored quantity without its padding zeros: 2.000000 -> 2, 1.500000 -> 1.5."""
    return (
        quantity.quantize(Decimal(1))
        if quantity == quantity.to_integral()
        else quantity.normalize()
    )


class PartOut(BaseModel):
    name: str
    quantity: Decimal
    unit_price: Decimal
    cost: Decimal = Field(description="quantity x unit price, to the fen")


class MaintenanceRecordOut(BaseModel):
    """维修记录: codes are translated under `maintenance.cause.*` and `maintenance.remedy.*`."""

    work_order_id: int
    cause: FailureCause
    remedy: RepairRemedy
    note: str
    labour: list[LabourOut]
    labour_minutes: int = Field(description="all technicians' minutes")
    parts: list[PartOut]
    parts_cost: Decimal
    other_cost: Decimal
    total_cost: Decimal = Field(description="parts plus other cost, computed")
    written_by: PersonRef
    written_at: datetime
    confirmed_at: datetime | None = Field(description="None: not confirmed yet (editable)")
    confirmed_by: PersonRef | None

    @classmethod
    def of(cls, record: MaintenanceRecord) -> MaintenanceRecordOut:
        return cls(
            work_order_id=record.work_order_id,
            cause=record.cause,
            remedy=record.remedy,
            note=record.note,
            labour=[
                LabourOut(technician=PersonRef.of(ln.technician), minutes=ln.minutes)
                for ln in record.labour
            ],
            labour_minutes=sum(ln.minutes for ln in record.labour),
            parts=[
                PartOut(
                    name=p.name,
                    quantity=plain(p.quantity),
                    unit_price=p.unit_price,
                    cost=part_cost(p),
                )
                for p in record.parts
            ],
            parts_cost=parts_cost(record),
            other_cost=record.other_cost,
            total_cost=total_cost(record),
            written_by=PersonRef.of(record.written_by),
            written_at=record.written_at,
            confirmed_at=record.confirmed_at,
            confirmed_by=PersonRef.of(record.confirmed_by) if record.confirmed_by else None,
        )
