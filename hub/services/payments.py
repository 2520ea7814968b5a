"""Paying bills online: an owner's intent for one bill's outstanding amount, paid only by the
provider's verified notification. Counter payments of any amount: hub/services/home_accounts.py.

A notification is acted on only when its signature and timestamp check out, its trade is an
intent of ours, its nonce was not used by a different notification and its amount is the
intent's. The same transaction notified again (a provider's retry, or a replay) is answered
"success" and changes nothing.
Every notification, accepted or refused, leaves a PaymentNotification row saying why.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.payments.base import (
    IntentRequest,
    NotificationRejected,
    NotificationVerifier,
    PaymentProvider,
    PayStart,
    VerifiedNotification,
)
from hub.domain import BillStatus
from hub.errors import Conflict, NotFound
from hub.services import audit, home_accounts
from hub.services.allocation import lock_home, outstanding
from hub.services.billing import get_bill_or_raise
from hub.storage.models import Bill, Payment, PaymentIntent, PaymentNotification, User
from hub.storage.models.billing import IntentStatus, NotificationOutcome, PaymentMethod


def _locked_unpaid_bill(session: Session, bill_id: int, user: User) -> Bill:
    bill = get_bill_or_raise(session, bill_id, user)
    session.refresh(bill, with_for_update=True)
    if outstanding(bill) <= 0:
        raise Conflict(f"bill {bill_id} is already paid")
    if bill.status is BillStatus.CREDITED:
        raise Conflict(f"bill {bill_id} was credited (冲销): it owes nothing; pay its re-bill")
    return bill


# --- owners: intents --------------------------------------------------------------------


def start_payment(
    session: Session, *, bill_id: int, owner: User, provider: PaymentProvider, now: datetime
) -> tuple[PaymentIntent, PayStart]:
    """An intent to pay what is outstanding on `bill_id` with `provider` (the open one again,
    if it is for that amount)."""
    bill = _locked_unpaid_bill(session, bill_id, owner)
    due = outstanding(bill)
    intent = session.scalars(
        select(PaymentIntent).where(
            PaymentIntent.bill_id == bill.id,
            PaymentIntent.provider == provider.name,
            PaymentIntent.status == IntentStatus.PENDING,
            PaymentIntent.amount == due,
        )
    ).first()
    if intent is None:
        intent = PaymentIntent(
            out_trade_no=f"EH{now:%Y%m%d}{bill.id:06d}{secrets.token_hex(6).upper()}",
            bill_id=bill.id,
            provider=provider.name,
            amount=due,
            status=IntentStatus.PENDING,
            created_at=now,
            created_by_id=owner.id,
        )
        session.add(intent)
        session.flush()
        audit.record(
            session,
            at=now,
            user_id=owner.id,
            action="payment_start",
            target=f"bill:{bill.id}",
            detail=f"{provider.name} {intent.amount} {intent.out_trade_no}",
        )
    description = f"Estate Hub bill {bill.period} #{bill.id}"
    request = IntentRequest(intent.out_trade_no, intent.amount, description, at=now)
    return intent, provider.start(request)


def pending_intent_or_raise(session: Session, out_trade_no: str) -> PaymentIntent:
    intent = session.scalars(
        select(PaymentIntent).where(PaymentIntent.out_trade_no == out_trade_no)
    ).one_or_none()
    if intent is None or intent.status is not IntentStatus.PENDING:
        raise NotFound(f"no payment {out_trade_no} is waiting to be paid")
    return intent


# --- providers: notifications -----------------------------------------------------------


@dataclass(frozen=True)
class NotificationResult:
    """What the hub tells the provider: accepted (stop sending) or refused, and why."""

    accepted: bool
    message: str


def handle_notification(
    session: Session,
    *,
    verifier: NotificationVerifier,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
) -> NotificationResult:
    """Verify, match and apply one notification; record it whatever happens."""
    row = PaymentNotification(
        provider=verifier.name,
        received_at=now,
        nonce=(verifier.nonce_of(headers, body) or "")[:64] or None,
        verified=False,
        body_sha256=hashlib.sha256(body).hexdigest(),
    )
    try:
        notice = verifier.verify_notification(headers, body, now=now)
        row.verified = True
        row.nonce = notice.nonce[:64]
        row.out_trade_no = notice.out_trade_no[:64]
        row.transaction_id = notice.transaction_id[:64]
        row.amount = notice.amount
        outcome, reason = _apply(session, verifier.name, notice, row, now=now)
    except NotificationRejected as exc:
        outcome, reason = NotificationOutcome.REFUSED, str(exc)
    row.outcome, row.reason = outcome, reason[:300]
    session.add(row)
    session.flush()
    return NotificationResult(outcome is not NotificationOutcome.REFUSED, reason)


def _apply(
    session: Session,
    provider: str,
    notice: VerifiedNotification,
    row: PaymentNotification,
    *,
    now: datetime,
) -> tuple[NotificationOutcome, str]:
    intent = session.scalars(
        select(PaymentIntent)
        .where(PaymentIntent.out_trade_no == notice.out_trade_no)
        .with_for_update()
    ).one_or_none()
    if intent is None or intent.provider != provider:
        raise NotificationRejected(f"trade {notice.out_trade_no} is not a {provider} intent")
    method = PaymentMethod(provider)
    done = session.scalars(
        select(Payment).where(
            Payment.method == method, Payment.transaction_id == notice.transaction_id
        )
    ).one_or_none()
    if done is not None:
        if done.intent_id != intent.id:
            raise NotificationRejected(
                f"transaction {notice.transaction_id} already paid another trade"
            )
        return NotificationOutcome.DUPLICATE, f"transaction {notice.transaction_id} already applied"
    # After the duplicate check: a provider's retry of an applied notification (Alipay keeps the
    # notify_id and sends a new notify_time) is answered success, not taken for a replay.
    reused = session.scalars(
        select(PaymentNotification.id).where(
            PaymentNotification.provider == provider,
            PaymentNotification.nonce == row.nonce,
            PaymentNotification.verified.is_(True),
            PaymentNotification.body_sha256 != row.body_sha256,
        )
    ).first()
    if reused is not None:
        raise NotificationRejected(f"nonce {notice.nonce} was used by another notification")
    if notice.amount != intent.amount:
        raise NotificationRejected(
            f"amount {notice.amount} does not match trade {intent.out_trade_no} ({intent.amount})"
        )
    bill = session.get(Bill, intent.bill_id)
    assert bill is not None  # an intent's bill is never deleted
    lock_home(session, bill.home_id)
    session.refresh(bill)
    payment = Payment(
        home_id=bill.home_id,
        bill_id=bill.id,
        amount=notice.amount,
        method=method,
        transaction_id=notice.transaction_id,
        intent_id=intent.id,
        paid_at=notice.paid_at,
    )
    session.add(payment)
    session.flush()
    # Paid another way or credited (冲销) meanwhile: the money is the home's all the same, kept
    # in its balance (which pays the re-bill).
    paying = [] if bill.status is BillStatus.CREDITED else [bill]
    rest = home_accounts.receive(session, payment, paying, by_id=None, now=now)
    intent.status, intent.paid_at = IntentStatus.PAID, notice.paid_at
    audit.record(
        session,
        at=now,
        user_id=None,
        action="pay",
        target=f"bill:{bill.id}",
        detail=f"{provider} {notice.amount} trade {intent.out_trade_no} "
        f"transaction {notice.transaction_id}" + (f"; {rest} to the balance" if rest else ""),
    )
    return NotificationOutcome.PAID, f"bill {bill.id} paid"
