"""Spreading money over a home's bills: oldest period first, never more than a bill's
outstanding amount; a bill is paid when its allocations cover its total, partly paid before.

Every allocation is a row (hub/storage/models/home_accounts.py); `Bill.paid` is their sum,
kept with them so lists and reports read a bill's paid and outstanding amounts directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import OWING, BillStatus
from hub.errors import NotFound
from hub.storage.models import Bill, Home, PaymentAllocation

ZERO = Decimal("0.00")


def outstanding(bill: Bill) -> Decimal:
    return bill.total - bill.paid


def plan(bills: Sequence[Bill], amount: Decimal) -> tuple[list[tuple[Bill, Decimal]], Decimal]:
    """How `amount` pays `bills` (in the order given) and what is left over."""
    shares, rest = [], amount
    for bill in bills:
        share = min(rest, outstanding(bill))
        if share > 0:
            shares.append((bill, share))
            rest -= share
    return shares, rest


def lock_home(session: Session, home_id: int) -> None:
    """Lock the home's row: its bills, balance and refunds change one transaction at a time
    (its id alone: PostgreSQL locks no outer-joined building)."""
    if session.scalar(select(Home.id).where(Home.id == home_id).with_for_update()) is None:
        raise NotFound(f"home {home_id} not found")


def open_bills(session: Session, home_id: int) -> list[Bill]:
    """The home's bills with something outstanding, oldest period first."""
    bills = session.scalars(
        select(Bill)
        .where(Bill.home_id == home_id, Bill.status.in_(OWING))
        .order_by(Bill.period, Bill.id)
    )
    return [bill for bill in bills if outstanding(bill) > 0]


def allocate(
    session: Session,
    bill: Bill,
    amount: Decimal,
    *,
    payment_id: int | None,
    now: datetime,
    refund_id: int | None = None,
) -> None:
    """Add `amount` (negative: un-allocate for a refund) to what `bill` has been paid."""
    session.add(
        PaymentAllocation(
            bill_id=bill.id, payment_id=payment_id, refund_id=refund_id, amount=amount, at=now
        )
    )
    bill.paid += amount
    if bill.paid >= bill.total:
        bill.status, bill.paid_at = BillStatus.PAID, now
    else:
        bill.status = BillStatus.PARTLY_PAID if bill.paid > 0 else BillStatus.UNPAID
        bill.paid_at = None


def allocations_of(session: Session, bill_id: int) -> list[PaymentAllocation]:
    return list(
        session.scalars(
            select(PaymentAllocation)
            .where(PaymentAllocation.bill_id == bill_id)
            .order_by(PaymentAllocation.id)
        )
    )


def paid_amounts(session: Session, payment_id: int) -> list[tuple[Bill, Decimal]]:
    """What of a payment each bill still holds, newest bill first (where a refund starts)."""
    held: dict[int, Decimal] = {}
    for bill_id, amount in session.execute(
        select(PaymentAllocation.bill_id, PaymentAllocation.amount).where(
            PaymentAllocation.payment_id == payment_id
        )
    ):
        held[bill_id] = held.get(bill_id, ZERO) + amount
    bills = session.scalars(select(Bill).where(Bill.id.in_(held)).order_by(Bill.period.desc()))
    return [(bill, held[bill.id]) for bill in bills if held[bill.id] > 0]
