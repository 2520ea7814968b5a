"""Money in and out of a home's account: counter payments of any amount allocated oldest bill
first, the excess and prepayments in the prepaid balance (预缴余额) that the next billing run
applies, refunds (退款) that re-open the newest bills and never exceed what is held, deposits
(押金) held apart from bills. B1/101's property fee is 223.75 a month (August to October)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.context import HubContext
from hub.domain import BillStatus
from hub.errors import Conflict, InvalidInput
from hub.services import deposits, home_accounts, refunds
from hub.services.allocation import outstanding
from hub.services.bill_views import BillOut
from hub.services.billing import run_billing
from hub.services.site import LoadResult
from hub.storage.models import AuditEntry, Bill, Building, Home, PaymentAllocation, User
from hub.storage.models.billing import PaymentMethod
from tests.api.test_arrears_api import bill_months

CASH = PaymentMethod.CASH
NOVEMBER_RUN = datetime(2026, 12, 2, tzinfo=UTC)


@pytest.fixture
def months(context: HubContext, site: LoadResult) -> None:
    bill_months(context)


def home_id(s: Session, code: str = "101") -> int:
    found = s.scalar(
        select(Home.id)
        .join(Building, Building.id == Home.building_id)
        .where(Building.code == "B1", Home.code == code)
    )
    assert found is not None
    return found


def finance(s: Session) -> User:
    return s.scalars(select(User).where(User.username == "finance")).one()


def pay(s: Session, amount: str, receipt: str, *, prepay: bool = False, home: str = "101") -> int:
    payment = home_accounts.record_counter_payment(
        s,
        home_id=home_id(s, home),
        method=CASH,
        amount=Decimal(amount),
        receipt_no=receipt,
        reference=None,
        prepay=prepay,
        by=finance(s),
        now=datetime(2026, 11, 12, tzinfo=UTC),
    )
    return payment.id


def bills(s: Session, home: str = "101") -> list[tuple[str, str, str, str]]:
    """(period, status, paid, outstanding), oldest first."""
    rows = s.scalars(select(Bill).where(Bill.home_id == home_id(s, home)).order_by(Bill.period))
    return [(b.period, b.status.value, f"{b.paid:.2f}", f"{outstanding(b):.2f}") for b in rows]


def balance(s: Session, home: str = "101") -> str:
    return f"{home_accounts.balance_of(s, home_id(s, home)):.2f}"


@pytest.mark.usefixtures("months")
def test_a_payment_smaller_than_the_oldest_bill_partly_pays_it(context: HubContext) -> None:
    with context.db.session() as s:
        pay(s, "100.00", "SJ-1")
        assert bills(s) == [
            ("2026-08", "partly_paid", "100.00", "123.75"),
            ("2026-09", "unpaid", "0.00", "223.75"),
            ("2026-10", "unpaid", "0.00", "223.75"),
        ]
        assert balance(s) == "0.00"


@pytest.mark.usefixtures("months")
def test_one_payment_spans_three_bills_oldest_first_and_the_excess_goes_to_the_balance(
    context: HubContext,
) -> None:
    with context.db.session() as s:
        preview, rest = home_accounts.preview(s, home_id(s), Decimal("700.00"))
        assert [(b.period, share) for b, share in preview] == [
            ("2026-08", Decimal("223.75")),
            ("2026-09", Decimal("223.75")),
            ("2026-10", Decimal("223.75")),
        ]
        assert rest == Decimal("28.75")
        assert s.scalar(select(PaymentAllocation.id)) is None  # a preview records nothing
        pay(s, "100.00", "SJ-1")
        pay(s, "500.00", "SJ-2")
        assert bills(s) == [
            ("2026-08", "paid", "223.75", "0.00"),
            ("2026-09", "paid", "223.75", "0.00"),
            ("2026-10", "partly_paid", "152.50", "71.25"),
        ]
        pay(s, "100.00", "SJ-3")
        assert bills(s)[-1] == ("2026-10", "paid", "223.75", "0.00")
        assert balance(s) == "28.75"
        (movement,) = home_accounts.movements_of(s, home_id(s))
        assert (movement.cause.value, movement.amount) == ("excess", Decimal("28.75"))
        with pytest.raises(Conflict, match="SJ-3 is already recorded"):
            pay(s, "1.00", "SJ-3")
        with pytest.raises(InvalidInput):
            pay(s, "0.00", "SJ-4")


@pytest.mark.usefixtures("months")
def test_the_balance_pays_the_next_bill_when_the_run_writes_it(context: HubContext) -> None:
    with context.db.session() as s:
        pay(s, "671.25", "SJ-1")  # August to October, exactly
        pay(s, "300.00", "SJ-2", prepay=True)
        pay(s, "100.00", "SJ-3", prepay=True, home="102")  # less than its 300.00 bill
        assert balance(s) == "300.00"
        run_billing(s, period="2026-11", now=NOVEMBER_RUN)
        assert bills(s)[-1] == ("2026-11", "paid", "223.75", "0.00")
        assert balance(s) == "76.25"
        assert bills(s, "102")[-1] == ("2026-11", "partly_paid", "100.00", "200.00")
        assert balance(s, "102") == "0.00"
        causes = [(m.cause.value, m.amount) for m in home_accounts.movements_of(s, home_id(s))]
        assert causes == [("prepayment", Decimal("300.00")), ("applied", Decimal("-223.75"))]
        november = s.scalars(
            select(Bill).where(Bill.home_id == home_id(s), Bill.period == "2026-11")
        ).one()
        (applied,) = BillOut.of(s, november).allocations
        assert (applied.payment_id, applied.amount) == (None, "223.75")  # 预缴抵扣
        audited = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "apply_prepaid").order_by(AuditEntry.id)
        )
        assert [a.detail for a in audited] == [
            "预缴抵扣 Prepaid applied 223.75 to 2026-11",
            "预缴抵扣 Prepaid applied 100.00 to 2026-11",
        ]
        run_billing(s, period="2026-11", now=NOVEMBER_RUN)  # a re-run applies nothing again
        assert balance(s) == "76.25"


@pytest.mark.usefixtures("months")
def test_refunding_a_payment_reopens_its_newest_bill_first(context: HubContext) -> None:
    with context.db.session() as s:
        paid = pay(s, "700.00", "SJ-1")  # three bills and 28.75 to the balance
        refund = refunds.refund_payment(
            s,
            payment_id=paid,
            amount=Decimal("300.00"),
            reason="重复缴费 Paid twice",
            by=finance(s),
            now=datetime(2026, 11, 15, tzinfo=UTC),
        )
        assert refunds.refund_number(refund) == f"TK202611-{refund.id:05d}"
        assert balance(s) == "0.00"  # the excess first: 28.75, then 271.25 off the bills
        assert bills(s) == [
            ("2026-08", "paid", "223.75", "0.00"),
            ("2026-09", "partly_paid", "176.25", "47.50"),
            ("2026-10", "unpaid", "0.00", "223.75"),
        ]
        (audited,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "refund"))
        assert audited.detail == f"TK202611-{refund.id:05d} payment 300.00: 重复缴费 Paid twice"


@pytest.mark.usefixtures("months")
def test_a_refund_is_never_more_than_is_held(context: HubContext) -> None:
    now = datetime(2026, 11, 15, tzinfo=UTC)
    with context.db.session() as s:
        paid = pay(s, "250.00", "SJ-1")  # August and 26.25 of September
        pay(s, "50.00", "SJ-2", prepay=True)
        who, home = finance(s), home_id(s)
        with pytest.raises(Conflict, match=r"more than the 50\.00 held"):
            refunds.refund_balance(
                s, home_id=home, amount=Decimal("50.01"), reason="退房", by=who, now=now
            )
        with pytest.raises(InvalidInput, match="reason"):
            refunds.refund_balance(
                s, home_id=home, amount=Decimal("1"), reason=" ", by=who, now=now
            )
        refunds.refund_balance(
            s, home_id=home, amount=Decimal("50.00"), reason="退房", by=who, now=now
        )
        assert balance(s) == "0.00"
        with pytest.raises(Conflict, match=r"more than the 250\.00 held"):
            refunds.refund_payment(
                s, payment_id=paid, amount=Decimal("250.01"), reason="x", by=who, now=now
            )
        refunds.refund_payment(
            s, payment_id=paid, amount=Decimal("250.00"), reason="x", by=who, now=now
        )
        assert [row[1:] for row in bills(s)] == [("unpaid", "0.00", "223.75")] * 3
        with pytest.raises(Conflict, match=r"more than the 0\.00 held"):
            refunds.refund_payment(
                s, payment_id=paid, amount=Decimal("0.01"), reason="x", by=who, now=now
            )


@pytest.mark.usefixtures("months")
def test_deposits_are_held_apart_and_refunded_with_deductions_stated(
    context: HubContext,
) -> None:
    now = datetime(2026, 11, 15, tzinfo=UTC)
    with context.db.session() as s:
        who = finance(s)
        deposit = deposits.record_deposit(
            s,
            home_id=home_id(s),
            purpose="装修押金 Renovation deposit",
            amount=Decimal("2000.00"),
            method=CASH,
            receipt_no="YJ-1",
            reference=None,
            by=who,
            now=now,
        )
        with pytest.raises(Conflict, match="YJ-1 is already recorded"):
            pay(s, "10.00", "YJ-1")  # one receipt book for payments and deposits
        run_billing(s, period="2026-11", now=NOVEMBER_RUN)
        assert bills(s)[-1] == ("2026-11", "unpaid", "0.00", "223.75")  # never applied
        assert balance(s) == "0.00"
        refund = deposits.refund_deposit(
            s,
            deposit_id=deposit.id,
            amount=Decimal("1500.00"),
            deducted=Decimal("300.00"),
            reason="墙面修复 Wall repair",
            by=who,
            now=now,
        )
        assert (refund.amount, refund.deducted) == (Decimal("1500.00"), Decimal("300.00"))
        assert deposits.held(s, deposit) == Decimal("200.00")
        with pytest.raises(Conflict, match=r"more than the 200\.00 held"):
            deposits.refund_deposit(
                s,
                deposit_id=deposit.id,
                amount=Decimal("200.01"),
                deducted=Decimal(0),
                reason="余款",
                by=who,
                now=now,
            )
        deposits.refund_deposit(
            s,
            deposit_id=deposit.id,
            amount=Decimal("200.00"),
            deducted=Decimal(0),
            reason="余款 The rest",
            by=who,
            now=now,
        )
        assert deposits.held(s, deposit) == Decimal("0.00")
        assert [d.id for d in deposits.deposits_of(s, home_id=home_id(s, "102"))] == []
        estate = s.scalar(select(Building.site_id).where(Building.code == "B1"))
        assert [d.id for d in deposits.deposits_of(s, site_id=estate)] == [deposit.id]


AMOUNTS = st.decimals(min_value="0.01", max_value="900.00", places=2)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), AMOUNTS),
        st.tuples(st.just("prepay"), AMOUNTS),
        st.tuples(st.just("refund"), AMOUNTS),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(AMOUNTS, min_size=1, max_size=4), STEPS)
def test_allocations_never_exceed_a_bill_and_paid_plus_outstanding_is_its_total(
    context: HubContext, site: LoadResult, totals: list[Decimal], steps: list[tuple[str, Decimal]]
) -> None:
    with context.db.session() as s:
        home, who, now = home_id(s, "102"), finance(s), datetime(2026, 11, 12, tzinfo=UTC)
        for month, total in enumerate(totals, start=1):
            s.add(
                Bill(
                    home_id=home,
                    period=f"2025-{month:02d}",
                    total=total,
                    status=BillStatus.UNPAID,
                    issued_at=now,
                )
            )
        s.flush()
        received, paid_ids = Decimal(0), []
        for n, (kind, amount) in enumerate(steps):
            if kind == "refund" and paid_ids:
                payment = paid_ids[n % len(paid_ids)]
                try:
                    refunds.refund_payment(
                        s, payment_id=payment, amount=amount, reason="r", by=who, now=now
                    )
                    received -= amount
                except Conflict:
                    pass
            elif kind != "refund":
                paid_ids.append(pay(s, f"{amount}", f"P-{n}", prepay=kind == "prepay", home="102"))
                received += amount
        rows = list(s.scalars(select(Bill).where(Bill.home_id == home)))
        for bill in rows:
            allocated = sum(
                s.scalars(
                    select(PaymentAllocation.amount).where(PaymentAllocation.bill_id == bill.id)
                ),
                Decimal(0),
            )
            assert allocated == bill.paid and Decimal(0) <= bill.paid <= bill.total
            assert bill.paid + outstanding(bill) == bill.total
            assert (bill.status is BillStatus.PAID) == (bill.paid == bill.total)
        # every fen received and not refunded is on a bill or in the balance
        assert received == sum((b.paid for b in rows), Decimal(0)) + home_accounts.balance_of(
            s, home
        )
        s.rollback()
