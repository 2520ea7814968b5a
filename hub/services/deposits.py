"""押金: deposits finance receives for a home (e.g. 装修押金 renovation deposit), held apart
from bills (never applied to them), and refunded whole or in part with what was kept stated."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import InvalidInput, NotFound
from hub.services import audit
from hub.services.allocation import ZERO, lock_home
from hub.services.home_accounts import book_counter, check_counter
from hub.services.refunds import check_refund, new_refund
from hub.storage.models import Building, Deposit, Home, Refund, User
from hub.storage.models.billing import PaymentMethod
from hub.storage.models.home_accounts import RefundSource


def record_deposit(
    session: Session,
    *,
    home_id: int,
    purpose: str,
    amount: Decimal,
    method: PaymentMethod,
    receipt_no: str,
    reference: str | None,
    by: User,
    now: datetime,
) -> Deposit:
    if amount <= 0:
        raise InvalidInput(f"amount {amount}: a deposit is positive")
    if not purpose.strip():
        raise InvalidInput("a deposit needs its purpose, e.g. 装修押金")
    check_counter(method, session, receipt_no)
    lock_home(session, home_id)
    deposit = Deposit(
        home_id=home_id,
        purpose=purpose.strip(),
        amount=amount,
        method=method,
        receipt_no=receipt_no,
        reference=reference,
        received_at=now,
        recorded_by_id=by.id,
    )
    book_counter(session, deposit, receipt_no)
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action="deposit",
        target=f"home:{home_id}",
        detail=f"{deposit.purpose} {method.value} {amount} receipt {receipt_no}",
    )
    return deposit


def held(session: Session, deposit: Deposit) -> Decimal:
    """What of the deposit is still held: neither refunded nor kept."""
    settled = session.scalars(select(Refund).where(Refund.deposit_id == deposit.id))
    return deposit.amount - sum((r.amount + r.deducted for r in settled), ZERO)


def refund_deposit(
    session: Session,
    *,
    deposit_id: int,
    amount: Decimal,
    deducted: Decimal,
    reason: str,
    by: User,
    now: datetime,
) -> Refund:
    """Give back `amount` and keep `deducted` (the reason says why); together at most what is
    held. A refund of 0 with a deduction keeps it all."""
    deposit = session.get(Deposit, deposit_id)
    if deposit is None:
        raise NotFound(f"deposit {deposit_id} not found")
    lock_home(session, deposit.home_id)
    if amount < 0 or deducted < 0:
        raise InvalidInput("a refund and a deduction are never negative")
    check_refund(
        amount + deducted, reason, held(session, deposit), f"on deposit {deposit.receipt_no}"
    )
    return new_refund(
        session,
        home_id=deposit.home_id,
        source=RefundSource.DEPOSIT,
        deposit_id=deposit.id,
        amount=amount,
        deducted=deducted,
        reason=reason,
        by=by,
        now=now,
    )


def deposits_of(
    session: Session, *, home_id: int | None = None, site_id: int | None = None
) -> list[Deposit]:
    """Per home or for an estate (or all), newest first."""
    query = select(Deposit).order_by(Deposit.id.desc())
    if home_id is not None:
        query = query.where(Deposit.home_id == home_id)
    if site_id is not None:
        homes = select(Home.id).join(Building, Building.id == Home.building_id)
        query = query.where(Deposit.home_id.in_(homes.where(Building.site_id == site_id)))
    return list(session.scalars(query))
