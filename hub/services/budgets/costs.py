"""Cost entries (费用支出) finance records from vouchers: never edited, corrected by a reversing
entry of the opposite amount (one per entry), every one audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import INCOME, BudgetCategory
from hub.errors import Conflict, InvalidInput, NotFound
from hub.services import audit
from hub.services.tariffs import CENT
from hub.storage.models import CostEntry, Department, User


@dataclass(frozen=True)
class CostData:
    department_id: int
    category: BudgetCategory
    day: date
    amount: Decimal
    voucher_no: str
    note: str = ""


def entries(session: Session, *, year: int, site_id: int | None = None) -> list[CostEntry]:
    """The year's entries (and reversals), by day."""
    query = (
        select(CostEntry)
        .where(CostEntry.day >= date(year, 1, 1), CostEntry.day <= date(year, 12, 31))
        .order_by(CostEntry.day, CostEntry.id)
    )
    if site_id is not None:
        query = query.where(CostEntry.site_id == site_id)
    return list(session.scalars(query))


def record(session: Session, data: CostData, *, by: User, now: datetime) -> CostEntry:
    department = session.get(Department, data.department_id)
    if department is None:
        raise NotFound(f"no department {data.department_id}")
    if data.category in INCOME:
        raise InvalidInput(f"category: {data.category.value} is income, not a cost")
    if data.amount <= 0 or data.amount != data.amount.quantize(CENT):
        raise InvalidInput("amount: a positive amount to the fen")
    if not data.voucher_no.strip():
        raise InvalidInput("voucher_no: the voucher (凭证号) the cost was paid on")
    entry = CostEntry(
        site_id=department.site_id,
        department_id=department.id,
        category=data.category,
        day=data.day,
        amount=data.amount,
        voucher_no=data.voucher_no.strip(),
        note=data.note.strip(),
        recorded_at=now,
        recorded_by_id=by.id,
    )
    return _added(session, entry, by, now, "cost_entry")


def reverse(session: Session, entry_id: int, *, note: str, by: User, now: datetime) -> CostEntry:
    """The entry cancelled by one of the opposite amount on the same day, so the month it
    was booked in nets to zero; `note` says why."""
    entry = session.get(CostEntry, entry_id)
    if entry is None:
        raise NotFound(f"no cost entry {entry_id}")
    if entry.reverses_id is not None:
        raise Conflict("a reversing entry is not reversed; record the cost again instead")
    if session.scalar(select(CostEntry.id).where(CostEntry.reverses_id == entry.id)):
        raise Conflict(f"cost entry {entry_id} is already reversed")
    if not note.strip():
        raise InvalidInput("note: say why the entry is reversed")
    reversal = CostEntry(
        site_id=entry.site_id,
        department_id=entry.department_id,
        category=entry.category,
        day=entry.day,
        amount=-entry.amount,
        voucher_no=entry.voucher_no,
        note=note.strip(),
        reverses_id=entry.id,
        recorded_at=now,
        recorded_by_id=by.id,
    )
    return _added(session, reversal, by, now, "cost_entry_reverse")


def _added(session: Session, entry: CostEntry, by: User, now: datetime, action: str) -> CostEntry:
    session.add(entry)
    session.flush()
    session.refresh(entry)  # its department, for the answer
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action=action,
        target=f"cost_entry:{entry.id}",
        detail=f"{entry.day} {entry.category.value} {entry.amount} voucher {entry.voucher_no}",
    )
    return entry
