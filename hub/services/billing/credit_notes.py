"""红字冲销 and 重开: a written bill is never edited. Finance credits it in full with a numbered
credit note (CN-2026-000123, a reason, audited): it stays on file marked credited and owes
nothing, so it leaves arrears, reminders, late fees and the outstanding of the reports; what it
was paid goes back to the home's prepaid balance, which pays the re-bill. Finance
then re-bills the home and month: the run's own code computes the lines again with today's
readings, corrections (人工更正) and tariffs into the next revision, which names the bill it
replaces. The billing run itself never bills a home twice for a month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.domain import BillStatus, Role
from hub.errors import Conflict, InvalidInput, NotFound
from hub.services import audit, home_accounts
from hub.services.billing.bills import get_bill_or_raise
from hub.services.billing.periods import parse_period
from hub.services.billing.run import BillingProblem, draft_home, write_bills
from hub.services.billing.text import decimal_text, home_label
from hub.services.users import owner_home_ids
from hub.storage.models import Bill, CreditNote, Home, User


@dataclass(frozen=True)
class Rebilled:
    bill: Bill
    problems: list[BillingProblem]  # meters the re-bill could not bill either


def credit_note_of(session: Session, bill: Bill) -> CreditNote | None:
    return session.scalars(select(CreditNote).where(CreditNote.bill_id == bill.id)).one_or_none()


def rebill_of(session: Session, bill: Bill) -> Bill | None:
    """The bill that replaced `bill`, if it was re-billed."""
    return session.scalars(select(Bill).where(Bill.replaces_id == bill.id)).one_or_none()


def issue_credit_note(
    session: Session, *, bill_id: int, reason: str, by: User, now: datetime
) -> CreditNote:
    """Credit `bill_id` in full; what it was paid goes to the home's prepaid balance (预缴余额),
    which pays the re-bill. Refused for a bill credited already."""
    bill = get_bill_or_raise(session, bill_id, by)
    session.refresh(bill, with_for_update=True)
    if not reason.strip():
        raise InvalidInput("reason: say why the bill is credited (冲销原因)")
    if bill.status is BillStatus.CREDITED:
        raise Conflict(f"bill {bill.id} is already credited", code="bill_credited")
    note = CreditNote(
        number=_next_number(session, now),
        bill_id=bill.id,
        amount=bill.total,
        reason=reason.strip(),
        created_at=now,
        created_by_id=by.id,
    )
    session.add(note)
    moved = home_accounts.credit_to_balance(session, bill, now=now, by_id=by.id)
    bill.status, bill.paid_at = BillStatus.CREDITED, None
    try:
        session.flush()
    except IntegrityError:  # another credit note of this bill, or the same number, just now
        raise Conflict(f"bill {bill.id} was credited just now, or try again") from None
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action="credit_note",
        target=f"bill:{bill.id}",
        detail=f"{note.number} ¥{decimal_text(note.amount, 2)}: {note.reason}"
        + (f"; ¥{decimal_text(moved, 2)} paid back to the balance" if moved else ""),
    )
    return note


def rebill(session: Session, *, bill_id: int, by: User, now: datetime) -> Rebilled:
    """A new bill for the credited bill's home and month, computed as the run computes it."""
    bill = get_bill_or_raise(session, bill_id, by)
    session.refresh(bill, with_for_update=True)
    if bill.status is not BillStatus.CREDITED:
        raise Conflict(
            f"bill {bill.id} is not credited: issue a credit note (冲销) first, then re-bill",
            code="bill_not_credited",
        )
    if rebill_of(session, bill) is not None:
        raise Conflict(f"bill {bill.id} was re-billed already", code="bill_rebilled")
    home = session.get(Home, bill.home_id)
    assert home is not None  # a foreign key
    month = parse_period(bill.period)
    lines, problems = draft_home(session, home, month, now=now)
    written = write_bills(session, {home.id: lines}, month, now, replaces=bill)
    home_accounts.apply_balances(session, written, now=now)
    new_id = written[home.id]
    new = session.get(Bill, new_id)
    assert new is not None  # just written
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action="rebill",
        target=f"bill:{new.id}",
        detail=f"{home_label(home)} {bill.period} replaces bill {bill.id}: "
        f"¥{decimal_text(bill.total, 2)} -> ¥{decimal_text(new.total, 2)}",
    )
    return Rebilled(new, problems)


def list_credit_notes(
    session: Session, user: User, *, limit: int = 200, offset: int = 0
) -> list[tuple[CreditNote, Bill]]:
    """Newest first; an owner sees only those of their own homes' bills."""
    query = (
        select(CreditNote, Bill)
        .join(Bill, Bill.id == CreditNote.bill_id)
        .order_by(CreditNote.id.desc())
    )
    if user.role is Role.OWNER:
        query = query.where(Bill.home_id.in_(owner_home_ids(session, user)))
    return [(note, bill) for note, bill in session.execute(query.limit(limit).offset(offset))]


def get_credit_note_or_raise(session: Session, note_id: int, user: User) -> tuple[CreditNote, Bill]:
    """The note and its bill if `user` may see the bill; another owner's is "not found"."""
    note = session.get(CreditNote, note_id)
    if note is None:
        raise NotFound(f"credit note {note_id} not found")
    try:
        bill = get_bill_or_raise(session, note.bill_id, user)
    except NotFound:
        raise NotFound(f"credit note {note_id} not found") from None
    return note, bill


def _next_number(session: Session, now: datetime) -> str:
    """CN-<year>-<six digits>, counting the year's credit notes."""
    prefix = f"CN-{now:%Y}-"
    count = session.scalar(
        select(func.count()).select_from(CreditNote).where(CreditNote.number.like(f"{prefix}%"))
    )
    return f"{prefix}{(count or 0) + 1:06d}"
