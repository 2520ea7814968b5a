"""Maintenance records (维修记录) on work orders that repair an asset (seed 002 2.4: the
technician fills in the record after the repair and the requester confirms it).

The assigned technician writes the record while the order is in progress; completing an asset's
order needs one. It is confirmed with the order: by the owner who asked (their confirmation of
the repair), or, for an order nobody requested (a rule's, staff's), by the operator or admin for
the estate. Once confirmed it is read-only. The cost is always computed, never typed: each part
line is quantity x unit price rounded to the fen, plus the other cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import FailureCause, RepairRemedy, Role, WorkOrderStatus
from hub.errors import InvalidInput, InvalidTransition, PermissionDenied
from hub.services.tariffs import round_money
from hub.storage.models import (
    MaintenanceLabour,
    MaintenancePart,
    MaintenanceRecord,
    User,
    WorkOrder,
)


@dataclass(frozen=True)
class LabourLine:
    technician_id: int
    minutes: int


@dataclass(frozen=True)
class PartLine:
    name: str
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class RecordData:
    """What the technician's form sends; the whole record is replaced by it."""

    cause: FailureCause
    remedy: RepairRemedy
    note: str = ""
    other_cost: Decimal = Decimal("0.00")
    labour: Sequence[LabourLine] = field(default_factory=tuple)
    parts: Sequence[PartLine] = field(default_factory=tuple)


def record_of(session: Session, order_id: int) -> MaintenanceRecord | None:
    return session.scalars(
        select(MaintenanceRecord).where(MaintenanceRecord.work_order_id == order_id)
    ).one_or_none()


def part_cost(part: MaintenancePart) -> Decimal:
    return round_money(part.quantity * part.unit_price)


def parts_cost(record: MaintenanceRecord) -> Decimal:
    return sum((part_cost(p) for p in record.parts), Decimal("0.00"))


def total_cost(record: MaintenanceRecord) -> Decimal:
    return parts_cost(record) + record.other_cost


def estate_confirms(order: WorkOrder) -> bool:
    """Nobody requested it (a rule's or staff's order): the estate's operator or admin confirms
    its record; otherwise the owner who asked does, with the repair."""
    return order.requested_by_id is None


def write(
    session: Session, order: WorkOrder, data: RecordData, *, by: User, now: datetime
) -> MaintenanceRecord:
    """Create or replace the order's record: its assigned technician, while in progress."""
    if order.asset_id is None:
        raise InvalidInput(
            f"work order {order.id} repairs no asset: it has no maintenance record",
            code="order_has_no_asset",
        )
    if order.assigned_to_id != by.id:
        raise PermissionDenied("only the assigned technician may write the record")
    record = record_of(session, order.id)
    if record is not None and record.confirmed_at is not None:
        raise InvalidTransition("the record is confirmed: read-only", code="record_confirmed")
    if order.status is not WorkOrderStatus.IN_PROGRESS:
        raise InvalidTransition(
            f"a work order that is {order.status.value} cannot have its record written",
            code="record_not_editable",
        )
    labour = _labour(session, data.labour)
    if record is None:
        record = MaintenanceRecord(work_order_id=order.id)
        session.add(record)
    record.cause, record.remedy, record.note = data.cause, data.remedy, data.note.strip()
    record.other_cost = data.other_cost
    record.written_by_id, record.written_at = by.id, now
    record.labour, record.parts = [], []
    session.flush()  # the old lines go before the new ones (one labour line per technician)
    record.labour = labour
    record.parts = [
        MaintenancePart(name=p.name.strip(), quantity=p.quantity, unit_price=p.unit_price)
        for p in data.parts
    ]
    session.flush()
    session.expire(record, ["written_by"])  # loaded for the earlier writer, if any
    return record


def _labour(session: Session, lines: Sequence[LabourLine]) -> list[MaintenanceLabour]:
    ids = [line.technician_id for line in lines]
    if len(set(ids)) != len(ids):
        raise InvalidInput("labour: one line per technician", code="labour_duplicate")
    found = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    if any(found.get(i) is None or found[i].role is not Role.TECHNICIAN for i in ids):
        raise InvalidInput("labour: only technicians' time is recorded", code="labour_not_tech")
    return [MaintenanceLabour(technician_id=ln.technician_id, minutes=ln.minutes) for ln in lines]


def require_for_completion(session: Session, order: WorkOrder) -> None:
    """An asset's order completes only with its record written."""
    if order.asset_id is not None and record_of(session, order.id) is None:
        raise InvalidInput(
            "complete: write the maintenance record first; 请先填写维修记录",
            code="record_required",
        )


def confirm(session: Session, order: WorkOrder, *, by: User, now: datetime) -> None:
    """The record (if any) is confirmed with the order, by whoever confirmed it."""
    record = record_of(session, order.id)
    if record is not None:
        record.confirmed_at, record.confirmed_by_id = now, by.id
        session.flush()
        session.expire(record, ["confirmed_by"])
