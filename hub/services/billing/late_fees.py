"""滞纳金: a late fee only where the estate's contract provides one (`LateFeeTerms`; no terms,
no fee). It accrues per day on an overdue bill's outstanding principal (its lines other than
late fees, less what was paid by the day before: payments cover the principal first) once the
payment term and the grace days have passed, until the bill is paid, and never above the cap
on its principal. A bill is never edited: each month's bill carries, as its own line per
overdue bill, what the new days up to that month's end (or the payment) added. Over a run of
days at one outstanding principal that is the whole fee at that principal to the run's end
less the same to its start, so with no partial payment the lines add up to the whole fee
computed afresh, to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from hub.domain import OWING, BillStatus, Utility
from hub.services.billing.bills import PAYMENT_TERM
from hub.services.billing.text import UTILITY_LABELS, decimal_text
from hub.services.tariffs import round_money
from hub.storage.models import Bill, BillLine, LateFeeTerms, PaymentAllocation
from hub.storage.types import MONEY, QUANTITY


@dataclass(frozen=True)
class Terms:
    daily_rate: Decimal  # of the principal per day, e.g. 0.0003 (万分之三)
    grace_days: int
    cap_ratio: Decimal  # the fee never exceeds principal x cap_ratio

    @classmethod
    def of(cls, row: LateFeeTerms) -> Terms:
        return cls(row.daily_rate, row.grace_days, row.cap_ratio)


def accrued(principal: Decimal, terms: Terms, days: int) -> Decimal:
    """The whole late fee of `days` days late, to the cent, capped."""
    fee = round_money(principal * terms.daily_rate * days)
    return min(fee, round_money(principal * terms.cap_ratio))


def days_late(due: date, terms: Terms, until: date) -> int:
    """Days after the due date and the grace days up to `until` (the day paid, or the last
    day billed): paying on the last grace day costs nothing, the day after costs one day."""
    return max(0, (until - due - timedelta(days=terms.grace_days)).days)


@dataclass(frozen=True)
class Overdue:
    """An earlier bill that is, or was when paid, late; and what late fees it already drew."""

    bill_id: int
    home_id: int
    period: str
    principal: Decimal  # its lines but late fees
    paid: tuple[tuple[date, Decimal], ...]  # its allocations (refunds negative) by local day
    due: date  # in the estate's calendar
    paid_on: date | None
    charged: Decimal
    days_charged: int


def terms_of(session: Session, site_id: int) -> Terms | None:
    row = session.scalar(select(LateFeeTerms).where(LateFeeTerms.site_id == site_id))
    return Terms.of(row) if row is not None else None


def overdue_bills(
    session: Session, home_ids: Sequence[int], before: str, start: datetime, zone: ZoneInfo
) -> dict[int, list[Overdue]]:
    """By home, the bills of months before `before` not wholly paid, or paid since `start` (the
    billed month's first instant): a bill paid earlier drew its last days in an earlier run."""
    fees = (
        select(BillLine.bill_id, func.sum(BillLine.amount, type_=MONEY).label("amount"))
        .where(BillLine.utility == Utility.LATE_FEE)
        .group_by(BillLine.bill_id)
        .subquery()
    )
    charged_on = aliased(Bill)
    drawn = (
        select(
            BillLine.late_fee_bill_id.label("bill_id"),
            func.sum(BillLine.amount, type_=MONEY).label("amount"),
            func.sum(BillLine.quantity, type_=QUANTITY).label("days"),
        )
        .join(charged_on, charged_on.id == BillLine.bill_id)
        .where(
            BillLine.late_fee_bill_id.is_not(None),
            charged_on.status != BillStatus.CREDITED,  # a credited bill charged nothing
        )
        .group_by(BillLine.late_fee_bill_id)
        .subquery()
    )
    rows = session.execute(
        select(Bill, fees.c.amount, drawn.c.amount, drawn.c.days)
        .outerjoin(fees, fees.c.bill_id == Bill.id)
        .outerjoin(drawn, drawn.c.bill_id == Bill.id)
        .where(
            Bill.home_id.in_(home_ids),
            Bill.period < before,
            or_(Bill.status.in_(OWING), Bill.paid_at >= start),
        )
        .order_by(Bill.period, Bill.id)
    ).all()
    paid: dict[int, list[tuple[date, Decimal]]] = {}
    for bill_id, at, amount in session.execute(
        select(PaymentAllocation.bill_id, PaymentAllocation.at, PaymentAllocation.amount)
        .where(PaymentAllocation.bill_id.in_([bill.id for bill, *_ in rows]))
        .order_by(PaymentAllocation.at, PaymentAllocation.id)
    ):
        paid.setdefault(bill_id, []).append((at.astimezone(zone).date(), amount))
    found: dict[int, list[Overdue]] = {}
    for bill, own_fees, charged, days in rows:
        paid_at = bill.paid_at if bill.status is BillStatus.PAID else None
        found.setdefault(bill.home_id, []).append(
            Overdue(
                bill_id=bill.id,
                home_id=bill.home_id,
                period=bill.period,
                principal=bill.total - (own_fees or Decimal(0)),
                paid=tuple(paid.get(bill.id, ())),
                due=(bill.issued_at + PAYMENT_TERM).astimezone(zone).date(),
                paid_on=paid_at.astimezone(zone).date() if paid_at is not None else None,
                charged=charged or Decimal("0.00"),
                days_charged=int(days or 0),
            )
        )
    return found


def late_fee_lines(overdue: Sequence[Overdue], terms: Terms, last_day: date) -> list[BillLine]:
    """This month's late fee lines: per overdue bill, what the days to `last_day` (or the day
    it was paid) add at each day's outstanding principal, within the cap less what earlier
    bills charged; none where that adds nothing."""
    lines = []
    for bill in overdue:
        until = min(bill.paid_on, last_day) if bill.paid_on is not None else last_day
        days = days_late(bill.due, terms, until)
        cap = round_money(bill.principal * terms.cap_ratio)
        added = _added(bill, terms, days)
        amount = min(added, cap - bill.charged)
        whole = bill.charged + amount
        if amount <= 0:
            continue
        lines.append(
            BillLine(
                utility=Utility.LATE_FEE,
                description=_describe(bill, terms, days, until, whole, capped=whole >= cap)[:200],
                quantity=Decimal(days - bill.days_charged),
                unit="天 day",
                unit_price=bill.principal * terms.daily_rate,
                amount=amount,
                late_fee_bill_id=bill.bill_id,
            )
        )
    return lines


def _added(bill: Overdue, terms: Terms, days: int) -> Decimal:
    """The fee of late days `days_charged + 1 .. days`, run by run of one outstanding principal
    (a payment on a day lowers the principal from the next day: the day paid still counts)."""
    added, done = Decimal("0.00"), bill.days_charged
    first_late = bill.due + timedelta(days=terms.grace_days)  # late day n is first_late + n
    while done < days:
        day = first_late + timedelta(days=done + 1)
        owed = bill.principal - sum((amount for on, amount in bill.paid if on < day), Decimal(0))
        owed = min(max(owed, Decimal("0.00")), bill.principal)
        change = min((on for on, _ in bill.paid if on >= day), default=None)
        end = days if change is None else min(days, (change - first_late).days)
        added += accrued(owed, terms, end) - accrued(owed, terms, done)
        done = end
    return added


def _describe(
    bill: Overdue, terms: Terms, days: int, until: date, whole: Decimal, *, capped: bool
) -> str:
    """E.g. "滞纳金 Late fee 2026-08 ¥223.75 × 0.03%/日 day × 20 天 days (to 2026-11-30)"."""
    rate = decimal_text(terms.daily_rate * 100)
    text = (
        f"{UTILITY_LABELS[Utility.LATE_FEE]} {bill.period} ¥{decimal_text(bill.principal, 2)} "
        f"× {rate}%/日 day × {days} 天 days (至 to {until})"
    )
    if any(on < until for on, _ in bill.paid):
        text += " 按每日未缴本金 on each day's outstanding principal"
    if capped:
        text += f" 封顶 capped ¥{decimal_text(whole, 2)}"
    if bill.charged:
        text += f" − 已计 charged before ¥{decimal_text(bill.charged, 2)}"
    return text
