"""The sandbox provider's side of the money: what it settled when a payer pressed Pay (kept
whether or not its notification reaches the hub, as a real provider's books are) and the daily
statement it hands out from that, so the demo and the tests reconcile for real."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.payments.sandbox import SandboxProvider
from adapters.payments.sandbox_statement import write_statement
from adapters.payments.statement import RowKind, StatementRow
from hub.services.reconciliation import calendar
from hub.storage.models import PaymentIntent, SandboxSettlement


def settle(
    session: Session, provider: SandboxProvider, intent: PaymentIntent, *, now: datetime
) -> tuple[dict[str, str], bytes]:
    """The payer confirmed: the sandbox takes the money once per trade and signs the
    notification it will send."""
    transaction_id = provider.transaction_id(intent.out_trade_no)
    taken = session.scalars(
        select(SandboxSettlement).where(SandboxSettlement.transaction_id == transaction_id)
    ).one_or_none()
    if taken is None:
        session.add(
            SandboxSettlement(
                transaction_id=transaction_id,
                out_trade_no=intent.out_trade_no,
                amount=intent.amount,
                settled_at=now,
            )
        )
        session.flush()
    return provider.sign(intent.out_trade_no, intent.amount, now=now)


def statement(session: Session, day: date) -> bytes:
    """The sandbox's statement of `day`: every settlement in it, oldest first."""
    start, end = calendar.bounds(session, day)
    settled = session.scalars(
        select(SandboxSettlement)
        .where(SandboxSettlement.settled_at >= start, SandboxSettlement.settled_at < end)
        .order_by(SandboxSettlement.settled_at, SandboxSettlement.id)
    )
    zone = calendar.zone(session)
    rows = [
        StatementRow(
            line=0,
            kind=RowKind.PAYMENT,
            transaction_id=s.transaction_id,
            out_trade_no=s.out_trade_no,
            amount=s.amount,
            at=s.settled_at.astimezone(zone),
        )
        for s in settled
    ]
    return write_statement(day, rows)
