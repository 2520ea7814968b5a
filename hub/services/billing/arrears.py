"""欠费: how old the unpaid bills are and what is outstanding on them (aging by estate and
building), and the reminders owners
get on a schedule, in the app and by SMS, saying how much and how to pay.

There is deliberately no action that cuts water, power, heat or gas: Civil Code art. 944 does
not let a property company do that to force payment (docs/finance.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from hub.domain import OWING
from hub.services import outbox
from hub.services.allocation import outstanding
from hub.services.billing.text import decimal_text, home_label
from hub.settings import get_settings
from hub.storage.models import Bill, Building, Home, HomeOwnership, Owner, Site, User

# Days since a bill was issued: 0-30, 31-90, 91-180, over 180.
AGING_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("0-30", 30),
    ("31-90", 90),
    ("91-180", 180),
    (">180", None),
)
# A reminder when the payment term has passed, a second a month later, a last one before the
# written demand (催缴函); a bill reminded at one stage is not reminded again at it.
REMINDER_DAYS = (30, 60, 90)
SOURCE = "arrears"


@dataclass
class AgingRow:
    """One building's unpaid bills by age: amount and count per bucket."""

    site: str
    building: str
    amounts: list[Decimal] = field(default_factory=lambda: [Decimal("0.00")] * 4)
    counts: list[int] = field(default_factory=lambda: [0] * 4)

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, Decimal("0.00"))


def age_days(bill: Bill, now: datetime) -> int:
    return (now - bill.issued_at).days


def bucket_of(days: int) -> int:
    return next(i for i, (_, upto) in enumerate(AGING_BUCKETS) if upto is None or days <= upto)


def aging(session: Session, *, now: datetime, site_id: int | None = None) -> list[AgingRow]:
    """Per estate and building (in code order), the unpaid bills' amounts and counts by age."""
    query = (
        select(Bill, Site.name, Building.code, Building.name)
        .join(Home, Home.id == Bill.home_id)
        .join(Building, Building.id == Home.building_id)
        .join(Site, Site.id == Building.site_id)
        .where(Bill.status.in_(OWING))
        .order_by(Site.code, Building.code)
    )
    if site_id is not None:
        query = query.where(Site.id == site_id)
    rows: dict[tuple[str, str], AgingRow] = {}
    for bill, site, code, name in session.execute(query):
        row = rows.setdefault((site, code), AgingRow(site=site, building=name))
        i = bucket_of(age_days(bill, now))
        row.amounts[i] += outstanding(bill)
        row.counts[i] += 1
    return list(rows.values())


@dataclass(frozen=True)
class Reminded:
    bills: int
    messages: int


def remind(session: Session, *, now: datetime) -> Reminded:
    """Remind the owners of each unpaid bill that reached a reminder stage it was not reminded
    at; as often as a timer likes (a stage is sent once, a late sweep sends only the latest)."""
    bills = messages = 0
    due_now = or_(
        *(
            and_(Bill.reminders_sent < stage, Bill.issued_at <= now - timedelta(days=days))
            for stage, days in enumerate(REMINDER_DAYS, start=1)
        )
    )
    for bill in session.scalars(
        select(Bill).where(Bill.status.in_(OWING), due_now).order_by(Bill.id)
    ):
        due = sum(1 for days in REMINDER_DAYS if now >= bill.issued_at + timedelta(days=days))
        if due <= bill.reminders_sent:
            continue
        bill.reminders_sent, bill.reminded_at = due, now
        messages += _send(session, bill, now=now, last=due == len(REMINDER_DAYS))
        bills += 1
    session.flush()
    return Reminded(bills, messages)


def _send(session: Session, bill: Bill, *, now: datetime, last: bool) -> int:
    home = session.get(Home, bill.home_id)
    assert home is not None  # a foreign key
    label, amount = home_label(home), decimal_text(outstanding(bill), 2)
    owners = session.execute(
        select(User, Owner.phone)
        .join(Owner, Owner.user_id == User.id)
        .join(HomeOwnership, HomeOwnership.owner_id == Owner.id)
        .where(HomeOwnership.home_id == home.id, User.active.is_(True))
        .order_by(User.id)
    ).all()
    if not owners:
        return 0
    site_id = home.building.site_id
    title = f"缴费提醒 Payment reminder {label} {bill.period} ¥{amount}"
    demand = (
        "逾期未缴将发出书面催缴函 A written demand follows if it stays unpaid. " if last else ""
    )
    body = (
        f"{label} {bill.period} 账单 ¥{amount} 尚未缴纳。请在「我的账单」在线支付，或到物业服务"
        f"中心缴纳。{demand}The {bill.period} bill of {label}, ¥{amount}, is unpaid: pay it "
        f"in the app (/m/owner/bills/{bill.id}) or at the management office."
    )
    recipients = outbox.Recipients(usernames=tuple(user.username for user, _ in owners))
    inbox = outbox.notify(
        session,
        site_id=site_id,
        recipients=recipients,
        title=title,
        body=body,
        source=SOURCE,
        now=now,
    )
    signature = get_settings().sms_signature
    texted = [(user, phone) for user, phone in owners if phone]
    for user, phone in texted:
        outbox.send_sms(
            session,
            site_id=site_id,
            recipient=user,
            phone=phone,
            title=f"缴费短信 Payment SMS {label} {bill.period}",
            text=f"【{signature}】您的房屋{label} {bill.period}账单¥{amount}尚未缴纳，"
            "请在App「我的账单」支付或到物业服务中心缴纳。",
            source=SOURCE,
            now=now,
        )
    return len(inbox) + len(texted)
