"""滞纳金: off unless the estate's contract provides it; then per day on an overdue bill's
principal after the 30-day term and the grace days, until paid, capped, each month's bill
carrying what that month added as its own line, so the lines always sum to the whole fee."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import Utility
from hub.services import home_accounts
from hub.services.billing import run_billing
from hub.services.billing.late_fees import Terms, accrued, days_late
from hub.services.site import LoadResult, load_site
from hub.services.tariffs import round_money
from hub.storage.models import Bill, BillLine, Home, LateFeeTerms, User
from hub.storage.models.billing import PaymentMethod
from tests.api.test_arrears_api import bill_months
from tests.support.site_files import sample_data, site_file_of


def lines_of(context: HubContext, period: str, home: str = "101") -> list[BillLine]:
    with context.db.session() as s:
        bill = s.scalars(
            select(Bill)
            .join(Home, Home.id == Bill.home_id)
            .where(Bill.period == period, Home.code == home)
        ).one()
        return [line for line in bill.lines if line.utility is Utility.LATE_FEE]


def set_terms(context: HubContext, site: LoadResult, rate: str, grace: int, cap: str) -> None:
    with context.db.session() as s:
        s.add(
            LateFeeTerms(
                site_id=site.site_id,
                daily_rate=Decimal(rate),
                grace_days=grace,
                cap_ratio=Decimal(cap),
                updated_at=context.clock.now(),
            )
        )


def pay_august(context: HubContext, clock: FakeClock, amount: str | None = None) -> None:
    with context.db.session() as s:
        bill = s.scalars(
            select(Bill)
            .join(Home, Home.id == Bill.home_id)
            .where(Bill.period == "2026-08", Home.code == "101")
        ).one()
        finance = s.scalars(select(User).where(User.username == "finance")).one()
        home_accounts.record_counter_payment(
            s,
            home_id=bill.home_id,
            method=PaymentMethod.CASH,
            amount=bill.total if amount is None else Decimal(amount),
            receipt_no="SJ-8",
            reference=None,
            by=finance,
            now=clock.now(),
        )


def test_without_contract_terms_nobody_pays_a_late_fee(
    context: HubContext, site: LoadResult
) -> None:
    bill_months(context)
    assert lines_of(context, "2026-10") == []


def test_the_fee_accrues_by_the_day_until_paid_and_each_month_bills_its_days(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    """0.05 % a day after 10 grace days. B1/101's August bill, ¥223.75, issued 5 Sep (Shanghai):
    due 5 Oct, late from 16 Oct. October's bill: 16 days to 31 Oct, 223.75 x 0.0005 x 16 =
    1.79. Paid 20 Nov: 36 days, 4.0275 -> 4.03 in all, so November's bill adds 4.03 - 1.79 =
    2.24 for 20 days. September's bill (issued 5 Oct, late from 15 Nov) first draws in
    November: 16 days to 30 Nov, 1.79. December adds nothing for the paid August bill, 31 days
    for September's and 11 for October's (issued 10 Nov, due 10 Dec, late from 21 Dec)."""
    set_terms(context, site, "0.0005", 10, "1")
    bill_months(context)
    (october,) = lines_of(context, "2026-10")
    assert (october.amount, october.quantity) == (Decimal("1.79"), 16)
    assert october.description == (
        "滞纳金 Late fee 2026-08 ¥223.75 × 0.05%/日 day × 16 天 days (至 to 2026-10-31)"
    )
    clock.set(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    pay_august(context, clock)
    with context.db.session() as s:
        run_billing(s, period="2026-11", now=datetime(2026, 12, 2, tzinfo=UTC))
    august, september = lines_of(context, "2026-11")
    assert (august.amount, august.quantity) == (Decimal("2.24"), 20)
    assert august.description.endswith(
        "× 36 天 days (至 to 2026-11-20) − 已计 charged before ¥1.79"
    )
    assert (september.amount, september.quantity) == (Decimal("1.79"), 16)
    with context.db.session() as s:
        run_billing(s, period="2026-12", now=datetime(2027, 1, 2, tzinfo=UTC))
    december = {line.late_fee_bill_id: line.quantity for line in lines_of(context, "2026-12")}
    assert august.late_fee_bill_id not in december  # paid: it drew its last days in November
    assert december[september.late_fee_bill_id] == 31
    assert list(december.values()) == [31, 11]  # October's, late from 21 Dec: 11 days


def test_a_partly_paid_bill_accrues_on_what_is_left_of_its_principal(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    """¥100.00 of August's ¥223.75 paid on 5 Nov (late day 21): days 17-21 at 223.75 add
    2.35 - 1.79 = 0.56, days 22-46 (to 30 Nov) at 123.75 add 2.85 - 1.30 = 1.55; 2.11 in all."""
    set_terms(context, site, "0.0005", 10, "1")
    bill_months(context)
    clock.set(datetime(2026, 11, 5, 3, 0, tzinfo=UTC))
    pay_august(context, clock, "100.00")
    with context.db.session() as s:
        run_billing(s, period="2026-11", now=datetime(2026, 12, 2, tzinfo=UTC))
    august, september = lines_of(context, "2026-11")
    assert (august.amount, august.quantity) == (Decimal("2.11"), 30)
    assert "按每日未缴本金 on each day's outstanding principal" in august.description
    assert (september.amount, september.quantity) == (Decimal("1.79"), 16)  # not paid at all


def test_the_cap_stops_the_fee_and_says_so(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    """Capped at 1 % of the principal: 223.75 x 0.01 = 2.2375 -> 2.24 for the August bill;
    November adds only 2.24 - 1.79 = 0.45 of the 4.03 the days would make."""
    set_terms(context, site, "0.0005", 10, "0.01")
    bill_months(context)
    clock.set(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    pay_august(context, clock)
    with context.db.session() as s:
        run_billing(s, period="2026-11", now=datetime(2026, 12, 2, tzinfo=UTC))
    august = lines_of(context, "2026-11")[0]
    assert august.amount == Decimal("0.45") and "封顶 capped ¥2.24" in august.description


MONEY = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
RATES = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("0.01"), places=6)
CAPS = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(1), places=4)


@given(MONEY, RATES, CAPS, st.lists(st.integers(0, 2000), min_size=1, max_size=12))
def test_the_fee_grows_with_the_days_never_past_the_cap_and_to_the_cent(
    principal: Decimal, rate: Decimal, cap: Decimal, days: list[int]
) -> None:
    terms = Terms(rate, 0, cap)
    fees = [accrued(principal, terms, n) for n in sorted(days)]
    assert fees == sorted(fees)
    assert all(fee == fee.quantize(Decimal("0.01")) for fee in fees)
    assert all(fee <= round_money(principal * cap) for fee in fees)


@pytest.mark.parametrize(
    ("until", "grace", "late"),
    [(date(2026, 10, 15), 10, 0), (date(2026, 10, 16), 10, 1), (date(2026, 10, 1), 0, 0)],
)
def test_paying_on_the_last_grace_day_costs_nothing(until: date, grace: int, late: int) -> None:
    assert days_late(date(2026, 10, 5), Terms(Decimal("0.001"), grace, Decimal(1)), until) == late


def test_a_site_file_states_the_terms_and_without_them_the_fee_is_off(
    context: HubContext, site: LoadResult
) -> None:
    data = sample_data()
    data["late_fee"] = {"daily_rate": "0.0003", "grace_days": 15}
    with context.db.session() as s:
        load_site(s, site_file_of(data), now=context.clock.now())
        terms = s.scalars(select(LateFeeTerms)).one()
        assert (terms.daily_rate, terms.grace_days, terms.cap_ratio) == (
            Decimal("0.0003"),
            15,
            Decimal(1),
        )
    del data["late_fee"]
    with context.db.session() as s:
        load_site(s, site_file_of(data), now=context.clock.now() + timedelta(days=1))
        assert s.scalars(select(LateFeeTerms)).all() == []
