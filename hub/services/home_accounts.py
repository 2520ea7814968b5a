"""A home's account with the estate: counter payments (cash, bank transfer) of any amount,
allocated to its bills oldest first; the prepaid balance (预缴余额) that takes what is beyond
them, or an explicit prepayment, and pays new bills automatically when the billing run writes
them (预缴抵扣 Prepaid applied)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.domain import Role
from hub.errors import Conflict, InvalidInput, NotFound
from hub.services import audit
from hub.services.allocation import (
    ZERO,
    allocate,
    allocations_of,
    lock_home,
    open_bills,
    outstanding,
    plan,
)
from hub.services.users import owner_home_ids
from hub.storage.models import BalanceEntry, Bill, Deposit, Home, Payment, User
from hub.storage.models.billing import PaymentMethod
from hub.storage.models.home_accounts import BalanceCause
from hub.storage.types import MONEY

COUNTER_METHODS = (PaymentMethod.CASH, PaymentMethod.BANK_TRANSFER)


def home_for_reader_or_raise(session: Session, home_id: int, user: User) -> Home:
    """The home if `user` may read its account; another owner's is "not found"."""
    home = session.get(Home, home_id)
    if home is None or (user.role is Role.OWNER and home_id not in owner_home_ids(session, user)):
        raise NotFound(f"home {home_id} not found")
    return home


def balance_of(session: Session, home_id: int) -> Decimal:
    total = session.scalar(
        select(func.sum(BalanceEntry.amount, type_=MONEY)).where(BalanceEntry.home_id == home_id)
    )
    return total if total is not None else ZERO


def to_balance(session: Session, payment_id: int) -> Decimal:
    """What a payment put in the balance (beyond the bills, or a prepayment)."""
    total = session.scalar(
        select(func.sum(BalanceEntry.amount, type_=MONEY)).where(
            BalanceEntry.payment_id == payment_id,
            BalanceEntry.cause.in_(
                (BalanceCause.EXCESS, BalanceCause.PREPAYMENT, BalanceCause.CREDITED)
            ),
        )
    )
    return total if total is not None else ZERO


def movements_of(session: Session, home_id: int) -> list[BalanceEntry]:
    return list(
        session.scalars(
            select(BalanceEntry).where(BalanceEntry.home_id == home_id).order_by(BalanceEntry.id)
        )
    )


def move_balance(
    session: Session,
    home_id: int,
    amount: Decimal,
    cause: BalanceCause,
    *,
    now: datetime,
    by_id: int | None,
    payment_id: int | None = None,
    bill_id: int | None = None,
    refund_id: int | None = None,
) -> None:
    session.add(
        BalanceEntry(
            home_id=home_id,
            amount=amount,
            cause=cause,
            payment_id=payment_id,
            bill_id=bill_id,
            refund_id=refund_id,
            at=now,
            by_id=by_id,
        )
    )


def check_counter(method: PaymentMethod, session: Session, receipt_no: str) -> None:
    """Counter money is cash or a transfer, under a receipt number (收据号) never used before."""
    if method not in COUNTER_METHODS:
        raise InvalidInput(f"method {method.value}: the counter records cash or bank_transfer")
    taken = session.scalar(select(Payment.id).where(Payment.receipt_no == receipt_no))
    taken = taken or session.scalar(select(Deposit.id).where(Deposit.receipt_no == receipt_no))
    if taken is not None:
        raise Conflict(f"receipt {receipt_no} is already recorded")


def book_counter(session: Session, row: Payment | Deposit, receipt_no: str) -> None:
    """Store counter money under its receipt number; the same number recorded by a concurrent
    request is a conflict, not a 500."""
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"receipt {receipt_no} was just recorded") from None


def receive(
    session: Session,
    payment: Payment,
    bills: Sequence[Bill],
    *,
    prepay: bool = False,
    by_id: int | None,
    now: datetime,
) -> Decimal:
    """Allocate a new payment to `bills` in order; what is left goes to the balance (returned)."""
    shares, rest = plan(bills, payment.amount)
    for bill, share in shares:
        allocate(session, bill, share, payment_id=payment.id, now=now)
    if rest > 0:
        cause = BalanceCause.PREPAYMENT if prepay else BalanceCause.EXCESS
        move_balance(
            session, payment.home_id, rest, cause, now=now, by_id=by_id, payment_id=payment.id
        )
    return rest


def preview(
    session: Session, home_id: int, amount: Decimal
) -> tuple[list[tuple[Bill, Decimal]], Decimal]:
    """How a counter payment of `amount` would be allocated (bill, share) and what would go to
    the balance, without recording anything."""
    return plan(open_bills(session, home_id), amount)


def record_counter_payment(
    session: Session,
    *,
    home_id: int,
    method: PaymentMethod,
    amount: Decimal,
    receipt_no: str,
    reference: str | None,
    prepay: bool = False,
    by: User,
    now: datetime,
) -> Payment:
    """Cash or a bank transfer received by finance for a home: any positive amount, allocated
    to its outstanding bills oldest first, the rest to its balance; a prepayment (预缴) goes to
    the balance whole."""
    if amount <= 0:
        raise InvalidInput(f"amount {amount}: a payment is positive")
    check_counter(method, session, receipt_no)
    lock_home(session, home_id)
    payment = Payment(
        home_id=home_id,
        amount=amount,
        method=method,
        receipt_no=receipt_no,
        reference=reference,
        paid_at=now,
        recorded_by_id=by.id,
    )
    book_counter(session, payment, receipt_no)
    bills = [] if prepay else open_bills(session, home_id)
    rest = receive(session, payment, bills, prepay=prepay, by_id=by.id, now=now)
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action="prepay" if prepay else "pay",
        target=f"home:{home_id}",
        detail=f"{method.value} {amount} receipt {receipt_no}"
        + (f" ref {reference}" if reference else "")
        + (f"; {rest} to the balance" if rest else ""),
    )
    session.flush()
    return payment


def credit_to_balance(session: Session, bill: Bill, *, now: datetime, by_id: int) -> Decimal:
    """What a credited bill (冲销) was paid goes back to its home's balance, payment by payment
    (a refund of one of them finds its money there), and pays the re-bill when it is written."""
    lock_home(session, bill.home_id)
    held: dict[int | None, Decimal] = {}
    for row in allocations_of(session, bill.id):
        held[row.payment_id] = held.get(row.payment_id, ZERO) + row.amount
    moved = ZERO
    for payment_id, amount in held.items():
        if amount <= 0:
            continue
        allocate(session, bill, -amount, payment_id=payment_id, now=now)
        move_balance(
            session,
            bill.home_id,
            amount,
            BalanceCause.CREDITED,
            now=now,
            by_id=by_id,
            payment_id=payment_id,
            bill_id=bill.id,
        )
        moved += amount
    return moved


def apply_balances(session: Session, bills: Mapping[int, int], *, now: datetime) -> None:
    """Pay newly written bills (`bills`: each home's new bill id) from their homes' prepaid
    balances (预缴抵扣), audited; one query finds the homes holding a balance, so a run over
    homes without one costs no more."""
    if not bills:
        return
    sums = session.execute(
        select(BalanceEntry.home_id, func.sum(BalanceEntry.amount, type_=MONEY))
        .group_by(BalanceEntry.home_id)
        .having(func.sum(BalanceEntry.amount, type_=MONEY) > 0)
    )
    held = {home_id: amount for home_id, amount in sums if home_id in bills}
    for home_id in [home_id for home_id in bills if home_id in held]:  # the homes' own order
        bill = session.get(Bill, bills[home_id])
        assert bill is not None  # just written
        lock_home(session, bill.home_id)
        share = min(held[bill.home_id], outstanding(bill))
        if share <= 0:
            continue
        held[bill.home_id] -= share
        allocate(session, bill, share, payment_id=None, now=now)
        move_balance(
            session,
            bill.home_id,
            -share,
            BalanceCause.APPLIED,
            now=now,
            by_id=None,
            bill_id=bill.id,
        )
        audit.record(
            session,
            at=now,
            user_id=None,
            action="apply_prepaid",
            target=f"bill:{bill.id}",
            detail=f"预缴抵扣 Prepaid applied {share} to {bill.period}",
        )
    session.flush()
