"""催缴函: the written demand for a home's unpaid bills, the step after the reminders.

Civil Code art. 944 lets a property company demand payment within a reasonable term and then
sue or seek arbitration; it may not stop water, power, heat or gas to force payment, so a letter
is the strongest action this product offers. A letter is issued only once a bill has gone
through every reminder stage, and not again while an earlier letter's term is still running.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import OWING
from hub.errors import Conflict, NotFound
from hub.services import audit, outbox
from hub.services.allocation import outstanding
from hub.services.asset_documents import local_today
from hub.services.billing.arrears import REMINDER_DAYS, age_days
from hub.services.billing.text import decimal_text, home_label
from hub.storage.models import (
    Bill,
    DemandLetter,
    DemandLetterBill,
    Home,
    HomeOwnership,
    Owner,
    Site,
    User,
)

DEMAND_AFTER_DAYS = REMINDER_DAYS[-1]  # every reminder comes first
PAY_WITHIN = timedelta(days=15)  # the reasonable term (合理期限) the letter gives
SOURCE = "arrears"


def letter_number(letter: DemandLetter) -> str:
    return f"CJ{letter.issued_at:%Y%m}-{letter.id:05d}"


def issue(session: Session, home_id: int, *, by: User, now: datetime) -> DemandLetter:
    """A letter for what is outstanding on all of the home's unpaid bills; 409 when none is
    due or one is pending."""
    home = session.get(Home, home_id)
    if home is None:
        raise NotFound(f"home {home_id} not found")
    site = session.get(Site, home.building.site_id)
    assert site is not None  # a foreign key
    unpaid = list(
        session.scalars(
            select(Bill)
            .where(Bill.home_id == home_id, Bill.status.in_(OWING))
            .order_by(Bill.period)
        )
    )
    if not any(age_days(bill, now) >= DEMAND_AFTER_DAYS for bill in unpaid):
        raise Conflict(
            f"no bill of {home_label(home)} is {DEMAND_AFTER_DAYS} days unpaid: "
            "the reminders come first",
            code="demand_not_due",
        )
    today = local_today(site, now)
    pending = session.scalar(
        select(DemandLetter).where(DemandLetter.home_id == home_id, DemandLetter.pay_by >= today)
    )
    if pending is not None:
        raise Conflict(
            f"letter {letter_number(pending)} gives until {pending.pay_by}: wait for its term",
            code="demand_letter_pending",
        )
    owners = _owners(session, home_id)
    letter = DemandLetter(
        home_id=home_id,
        issued_at=now,
        issued_by_id=by.id,
        pay_by=today + PAY_WITHIN,
        total=sum((outstanding(bill) for bill in unpaid), start=Decimal("0.00")),
        owners="、".join(user_name for _, user_name in owners),
        bills=[
            DemandLetterBill(
                bill_id=bill.id,
                period=bill.period,
                amount=outstanding(bill),
                issued_at=bill.issued_at,
            )
            for bill in unpaid
        ],
    )
    session.add(letter)
    session.flush()
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action="issue_demand_letter",
        target=f"home:{home_id}",
        detail=f"{letter_number(letter)} ¥{decimal_text(letter.total, 2)}",
    )
    _tell_owners(session, letter, home, [username for username, _ in owners], now=now)
    return letter


def _owners(session: Session, home_id: int) -> list[tuple[str, str]]:
    """(username, name) of the home's owners with an active account, in id order."""
    rows = session.execute(
        select(User.username, Owner.name)
        .join(Owner, Owner.user_id == User.id)
        .join(HomeOwnership, HomeOwnership.owner_id == Owner.id)
        .where(HomeOwnership.home_id == home_id, User.active.is_(True))
        .order_by(User.id)
    )
    return [(username, name) for username, name in rows]


def _tell_owners(
    session: Session, letter: DemandLetter, home: Home, usernames: list[str], *, now: datetime
) -> None:
    if not usernames:
        return
    label, amount = home_label(home), decimal_text(letter.total, 2)
    outbox.notify(
        session,
        site_id=home.building.site_id,
        recipients=outbox.Recipients(usernames=tuple(usernames)),
        title=f"催缴函 Demand for payment {letter_number(letter)} {label} ¥{amount}",
        body=(
            f"{label} 欠缴物业服务费用 ¥{amount}，请于 {letter.pay_by} 前缴纳。"
            f"Please pay ¥{amount} owed for {label} by {letter.pay_by}: in the app "
            "(我的账单 My bills) or at the management office."
        ),
        source=SOURCE,
        now=now,
    )


def letters_of(session: Session, home_id: int | None = None) -> list[DemandLetter]:
    query = select(DemandLetter).order_by(DemandLetter.id.desc())
    if home_id is not None:
        query = query.where(DemandLetter.home_id == home_id)
    return list(session.scalars(query))
