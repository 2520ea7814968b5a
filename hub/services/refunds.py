"""退款: finance pays money back, with a reason, numbered and audited; never more than is held.

From the prepaid balance: at most the balance. From a payment: first what of it still sits in
the balance, then what it paid on bills, newest bill first, so those bills are outstanding
again; at most what of the payment is still held. Deposits: hub/services/deposits.py.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.errors import Conflict, InvalidInput, NotFound
from hub.services import audit
from hub.services.allocation import allocate, lock_home, paid_amounts
from hub.services.home_accounts import balance_of, move_balance
from hub.storage.models import BalanceEntry, Payment, Refund, User
from hub.storage.models.home_accounts import BalanceCause, RefundSource
from hub.storage.types import MONEY


def refund_number(refund: Refund) -> str:
    return f"TK{refund.refunded_at:%Y%m}-{refund.id:05d}"


def check_refund(amount: Decimal, reason: str, held: Decimal, what: str) -> None:
    if amount <= 0:
        raise InvalidInput(f"amount {amount}: a refund is positive")
    if not reason.strip():
        raise InvalidInput("a refund needs its reason")
    if amount > held:
        raise Conflict(
            f"refund {amount} is more than the {held} held {what}", code="refund_too_much"
        )


def new_refund(
    session: Session,
    *,
    home_id: int,
    source: RefundSource,
    amount: Decimal,
    reason: str,
    by: User,
    now: datetime,
    payment_id: int | None = None,
    deposit_id: int | None = None,
    deducted: Decimal = Decimal("0.00"),
) -> Refund:
    refund = Refund(
        home_id=home_id,
        source=source,
        payment_id=payment_id,
        deposit_id=deposit_id,
        amount=amount,
        deducted=deducted,
        reason=reason.strip(),
        refunded_at=now,
        refunded_by_id=by.id,
    )
    session.add(refund)
    session.flush()
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action="refund",
        target=f"home:{home_id}",
        detail=f"{refund_number(refund)} {source.value} {amount}"
        + (f" deducted {deducted}" if deducted else "")
        + f": {refund.reason}",
    )
    return refund


def refund_balance(
    session: Session, *, home_id: int, amount: Decimal, reason: str, by: User, now: datetime
) -> Refund:
    """Pay back part or all of a home's prepaid balance."""
    lock_home(session, home_id)
    check_refund(amount, reason, balance_of(session, home_id), "in the prepaid balance")
    refund = new_refund(
        session,
        home_id=home_id,
        source=RefundSource.BALANCE,
        amount=amount,
        reason=reason,
        by=by,
        now=now,
    )
    move_balance(
        session, home_id, -amount, BalanceCause.REFUND, now=now, by_id=by.id, refund_id=refund.id
    )
    session.flush()
    return refund


def _in_balance(session: Session, payment_id: int) -> Decimal:
    """What a payment put in the balance and no refund has taken back."""
    total = session.scalar(
        select(func.sum(BalanceEntry.amount, type_=MONEY)).where(
            BalanceEntry.payment_id == payment_id
        )
    )
    return total if total is not None else Decimal("0.00")


def refund_payment(
    session: Session, *, payment_id: int, amount: Decimal, reason: str, by: User, now: datetime
) -> Refund:
    """Pay back part or all of a payment: from the balance it left, then off its bills."""
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(f"payment {payment_id} not found")
    lock_home(session, payment.home_id)
    from_balance = min(_in_balance(session, payment.id), balance_of(session, payment.home_id))
    on_bills = paid_amounts(session, payment.id)
    held = from_balance + sum((share for _, share in on_bills), Decimal("0.00"))
    check_refund(amount, reason, held, f"of payment {payment.id}")
    refund = new_refund(
        session,
        home_id=payment.home_id,
        source=RefundSource.PAYMENT,
        payment_id=payment.id,
        amount=amount,
        reason=reason,
        by=by,
        now=now,
    )
    rest = amount
    taken = min(rest, from_balance)
    if taken > 0:
        move_balance(
            session,
            payment.home_id,
            -taken,
            BalanceCause.REFUND,
            now=now,
            by_id=by.id,
            payment_id=payment.id,
            refund_id=refund.id,
        )
        rest -= taken
    for bill, share in on_bills:
        if rest <= 0:
            break
        taken = min(rest, share)
        allocate(session, bill, -taken, payment_id=payment.id, refund_id=refund.id, now=now)
        rest -= taken
    session.flush()
    return refund


def refunds_of(session: Session, home_id: int) -> list[Refund]:
    return list(
        session.scalars(select(Refund).where(Refund.home_id == home_id).order_by(Refund.id))
    )
