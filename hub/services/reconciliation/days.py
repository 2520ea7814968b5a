"""A provider's day: importing its statement, and the day's result (live while open, as frozen
at sign-off once signed off)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adapters.payments.statement import RowKind, Statement, StatementUnreadable
from hub.errors import Conflict, NotFound
from hub.services import audit
from hub.services.reconciliation import calendar, formats
from hub.services.reconciliation.matching import Booked, Item, match
from hub.storage.models import (
    Payment,
    PaymentIntent,
    ProviderStatement,
    ReconciliationDay,
    ReconciliationItem,
    ReconciliationNote,
    User,
)
from hub.storage.models.billing import PaymentMethod
from hub.storage.models.reconciliation import DayState

LOCKED = "reconciliation_day_locked"
ITEM_FIELDS = (
    "kind",
    "key",
    "transaction_id",
    "at",
    "out_trade_no",
    "refund_no",
    "line",
    "statement_amount",
    "our_amount",
    "payment_id",
    "bill_id",
)


@dataclass(frozen=True)
class DayResult:
    """What finance sees of one provider's day."""

    provider: str
    day: date
    record: ReconciliationDay | None  # None: no statement imported yet
    statement: ProviderStatement | None
    items: list[Item]
    notes: dict[str, ReconciliationNote]
    booked: list[Booked]  # our payments through the provider that day

    @property
    def state(self) -> DayState | None:
        return None if self.record is None else self.record.state

    @property
    def differences(self) -> list[Item]:
        return [item for item in self.items if item.is_difference]

    @property
    def unnoted(self) -> list[Item]:
        return [item for item in self.differences if item.key not in self.notes]


def record_step(
    session: Session, *, provider: str, day: date, action: str, by: User, now: datetime, detail: str
) -> None:
    """One step of a day in the audit log, under the day's own target."""
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action=action,
        target=f"reconciliation:{provider}:{day}",
        detail=detail[:300],
    )


def find_day(session: Session, provider: str, day: date) -> ReconciliationDay | None:
    return session.scalars(
        select(ReconciliationDay).where(
            ReconciliationDay.provider == provider, ReconciliationDay.day == day
        )
    ).one_or_none()


def import_statement(
    session: Session,
    *,
    provider: str,
    day: date,
    filename: str,
    data: bytes,
    limit: int,
    by: User,
    now: datetime,
) -> tuple[DayResult, bool]:
    """Store and match `data` as `provider`'s statement of `day`; True when it was new to the
    day. The same bytes again change nothing; a signed-off day takes no other file."""
    parsed = formats.parse(provider, data, limit=limit)
    _check_day(session, parsed, day)
    digest = hashlib.sha256(data).hexdigest()
    record = find_day(session, provider, day)
    current = None if record is None else session.get(ProviderStatement, record.statement_id)
    if current is not None and current.sha256 == digest:
        return day_result(session, provider, day), False
    if record is not None and record.state is DayState.SIGNED_OFF:
        raise Conflict(
            f"{provider} {day} is signed off: re-open it before importing another statement",
            code=LOCKED,
        )
    stored = _stored(session, provider, digest, day) or ProviderStatement(
        provider=provider,
        day=day,
        filename=filename[:200],
        sha256=digest,
        content=data,
        rows=len(parsed.rows),
        imported_at=now,
        imported_by_id=by.id,
    )
    try:
        session.add(stored)
        session.flush()
        if record is None:
            record = ReconciliationDay(
                provider=provider, day=day, state=DayState.OPEN, statement_id=stored.id
            )
            session.add(record)
        record.statement_id = stored.id
        session.flush()
    except IntegrityError:  # the same file or day imported by someone else at this moment
        raise Conflict(f"{provider} {day} was just imported by someone else; reload") from None
    record_step(
        session,
        provider=provider,
        day=day,
        action="statement_import",
        by=by,
        now=now,
        detail=f"{filename[:100]} sha256 {digest} {len(parsed.rows)} rows",
    )
    return day_result(session, provider, day), True


def _stored(session: Session, provider: str, digest: str, day: date) -> ProviderStatement | None:
    """The same file imported before, for this day only."""
    stored = session.scalars(
        select(ProviderStatement).where(
            ProviderStatement.provider == provider, ProviderStatement.sha256 == digest
        )
    ).one_or_none()
    if stored is not None and stored.day != day:
        raise Conflict(
            f"this file was imported as the {provider} statement of {stored.day}",
            code="statement_other_day",
        )
    return stored


def _check_day(session: Session, parsed: Statement, day: date) -> None:
    """The file must be the statement of `day`: as it says, or as its payments' times say."""
    if parsed.day is not None and parsed.day != day:
        raise StatementUnreadable(1, f"the file is the statement of {parsed.day}, not {day}")
    zone = calendar.zone(session)
    for row in parsed.rows:
        local = row.at.astimezone(zone)
        if row.kind is RowKind.PAYMENT and local.date() != day:
            raise StatementUnreadable(
                row.line,
                f"a payment at {local:%Y-%m-%d %H:%M} is not on {day}: another day's file?",
            )


def day_result(session: Session, provider: str, day: date) -> DayResult:
    """The day as finance reviews it."""
    record = find_day(session, provider, day)
    start, end = calendar.bounds(session, day)
    booked = _booked(session, provider, [Payment.paid_at >= start, Payment.paid_at < end])
    if record is None:
        return DayResult(provider, day, None, None, [], {}, booked)
    statement = session.get(ProviderStatement, record.statement_id)
    assert statement is not None  # statements are never deleted
    notes = {
        note.key: note
        for note in session.scalars(
            select(ReconciliationNote).where(ReconciliationNote.day_id == record.id)
        )
    }
    if record.state is DayState.SIGNED_OFF:
        items = [_thawed(row) for row in _frozen(session, record)]
    else:
        items = _live(session, provider, statement, booked)
    return DayResult(provider, day, record, statement, items, notes, booked)


def _live(
    session: Session, provider: str, statement: ProviderStatement, booked: list[Booked]
) -> list[Item]:
    rows = formats.PARSERS[provider](statement.content).rows
    known = {b.transaction_id for b in booked}
    others = {r.transaction_id for r in rows} - known
    elsewhere = _booked(session, provider, [Payment.transaction_id.in_(others)]) if others else []
    trades = session.execute(
        select(PaymentIntent.out_trade_no, PaymentIntent.bill_id).where(
            PaymentIntent.out_trade_no.in_({r.out_trade_no for r in rows})
        )
    )
    return match(
        rows,
        booked,
        elsewhere={b.transaction_id: b for b in elsewhere},
        trades={trade: bill for trade, bill in trades},
    )


def _booked(session: Session, provider: str, where: Iterable[object]) -> list[Booked]:
    rows = session.execute(
        select(Payment, PaymentIntent.out_trade_no)
        .outerjoin(PaymentIntent, Payment.intent_id == PaymentIntent.id)
        .where(Payment.method == PaymentMethod(provider), *where)  # type: ignore[arg-type]
        .order_by(Payment.paid_at, Payment.id)
    )
    return [
        Booked(
            payment_id=payment.id,
            bill_id=payment.bill_id,
            transaction_id=payment.transaction_id or "",
            out_trade_no=trade or "",
            amount=payment.amount,
            paid_at=payment.paid_at,
        )
        for payment, trade in rows
    ]


def _frozen(session: Session, record: ReconciliationDay) -> list[ReconciliationItem]:
    return list(
        session.scalars(
            select(ReconciliationItem)
            .where(ReconciliationItem.day_id == record.id)
            .order_by(ReconciliationItem.id)
        )
    )


def freeze(session: Session, record: ReconciliationDay, items: list[Item]) -> None:
    """Keep `items` as the day's result from now on."""
    session.add_all(
        ReconciliationItem(day_id=record.id, **{k: getattr(i, k) for k in ITEM_FIELDS})
        for i in items
    )


def thaw(session: Session, record: ReconciliationDay) -> None:
    """Forget the frozen result: the day is live again."""
    for row in _frozen(session, record):
        session.delete(row)


def _thawed(row: ReconciliationItem) -> Item:
    return Item(**{k: getattr(row, k) for k in ITEM_FIELDS})


@dataclass(frozen=True)
class DaySummary:
    """A line of the days list."""

    day: date
    result: DayResult

    @property
    def booked_total(self) -> Decimal:
        return sum((b.amount for b in self.result.booked), Decimal("0.00"))


def list_days(session: Session, provider: str, first: date, last: date) -> list[DaySummary]:
    """Every day from `first` to `last` (newest first), with or without a statement."""
    if provider not in formats.PROVIDERS:
        raise NotFound(f"no provider {provider}")
    count = (last - first).days + 1
    days = [last - timedelta(days=n) for n in range(max(count, 0))]
    return [DaySummary(day, day_result(session, provider, day)) for day in days]
