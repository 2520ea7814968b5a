"""Other fees on the sample estate: property fee by home type and floor band, parking, one-off
charges, part months prorated by day (B3/1201 handed over 10 Nov 2026, B3/S01 on the 16th)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import pairwise

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from hub.context import HubContext
from hub.domain import HomeType, OneOffKind, Utility
from hub.errors import Conflict, InvalidInput
from hub.services import one_off_charges
from hub.services.billing import parse_period, run_billing
from hub.services.billing.proration import DaySpan, prorate, span_in
from hub.services.site import LoadResult
from hub.storage.models import AuditEntry, Bill, Building, Home, Tariff, User

D = Decimal
AFTER_NOVEMBER = datetime(2026, 12, 2, tzinfo=UTC)
AFTER_DECEMBER = datetime(2027, 1, 2, tzinfo=UTC)


def home(session: Session, label: str) -> Home:
    building, code = label.split("/")
    return session.scalars(
        sa.select(Home)
        .join(Building, Building.id == Home.building_id)
        .where(Building.code == building, Home.code == code)
    ).one()


def lines(session: Session, label: str, period: str) -> list[tuple[str, str, str]]:
    """The bill's priced lines (meters without readings in the month left out)."""
    bill = session.scalars(
        sa.select(Bill).where(Bill.home_id == home(session, label).id, Bill.period == period)
    ).one()
    return [
        (line.utility.value, line.description, f"{line.amount:.2f}")
        for line in bill.lines
        if line.meter_id is None
    ]


def finance(session: Session) -> User:
    return session.scalars(sa.select(User).where(User.username == "finance")).one()


def test_each_home_pays_its_most_specific_property_fee_prorated_by_day(
    context: HubContext, site: LoadResult
) -> None:
    with context.db.session() as s:
        result = run_billing(s, period="2026-11", now=AFTER_NOVEMBER)
    assert result.billed == ["B1/101", "B1/102", "B2/201", "B3/1201", "B3/S01"]
    with context.db.session() as s:
        assert lines(s, "B1/101", "2026-11") == [
            ("property_fee", "物业费 Property fee 89.50 m2 × 1 月 month", "223.75")
        ]
        # floors 7 and up: 110 m2 x 2.80 = 308.00 for 21 of November's 30 days = 215.60
        assert lines(s, "B3/1201", "2026-11") == [
            (
                "property_fee",
                "物业费 Property fee 7–∞层 floors 110.00 m2 × 1 月 month × 21/30 天 days",
                "215.60",
            ),
            ("parking", "停车费 Parking P-002 产权 owned ¥80.00/月 month × 21/30 天 days", "56.00"),
        ]
        # the shop: 60 m2 x 4.00 = 240.00, and the rented space's 300.00, from the 16th: 15/30
        assert lines(s, "B3/S01", "2026-11") == [
            (
                "property_fee",
                "物业费 Property fee 商铺 shop 60.00 m2 × 1 月 month × 15/30 天 days",
                "120.00",
            ),
            (
                "parking",
                "停车费 Parking P-001 租赁 rented ¥300.00/月 month × 15/30 天 days",
                "150.00",
            ),
        ]
        run_billing(s, period="2026-12", now=AFTER_DECEMBER)
        assert [amount for *_, amount in lines(s, "B3/S01", "2026-12")] == ["240.00", "300.00"]


def test_a_home_no_tariff_covers_stops_the_run_naming_it(
    context: HubContext, site: LoadResult
) -> None:
    with context.db.session() as s:
        everyone = s.scalars(
            sa.select(Tariff).where(Tariff.utility == Utility.PROPERTY_FEE, Tariff.version == 1)
        ).one()
        everyone.home_type = HomeType.RESIDENTIAL  # offices are priced by no tariff now
        home(s, "B2/201").home_type = HomeType.OFFICE
    with (
        context.db.session() as s,
        pytest.raises(InvalidInput, match=r"home B2/201 \(office, floor 2\)"),
    ):
        run_billing(s, period="2026-11", now=AFTER_NOVEMBER)
    with context.db.session() as s:
        assert s.scalar(sa.select(sa.func.count(Bill.id))) == 0


def test_a_move_out_mid_month_is_prorated_and_ends_the_bills(
    context: HubContext, site: LoadResult
) -> None:
    with context.db.session() as s:
        home(s, "B1/101").billed_until = date(2026, 11, 20)
    with context.db.session() as s:
        run_billing(s, period="2026-11", now=AFTER_NOVEMBER)
        december = run_billing(s, period="2026-12", now=AFTER_DECEMBER)
        # 89.50 m2 x 2.50 = 223.75 a month; 20 of 30 days: 149.1666... -> 149.17
        assert lines(s, "B1/101", "2026-11") == [
            (
                "property_fee",
                "物业费 Property fee 89.50 m2 × 1 月 month × 20/30 天 days",
                "149.17",
            )
        ]
    assert "B1/101" not in december.billed


def test_a_one_off_charge_is_billed_once(context: HubContext, site: LoadResult) -> None:
    with context.db.session() as s:
        renovation = one_off_charges.add(
            s,
            home(s, "B1/102"),
            kind=OneOffKind.RENOVATION,
            description="厨房改造 kitchen refit",
            amount=D("500.00"),
            by=finance(s),
            now=AFTER_NOVEMBER,
        )
        card = one_off_charges.add(
            s,
            home(s, "B1/102"),
            kind=OneOffKind.ACCESS_CARD,
            description="补办 replacement",
            amount=D("20.00"),
            by=finance(s),
            now=AFTER_NOVEMBER,
        )
        one_off_charges.withdraw(s, card.id, by=finance(s), now=AFTER_NOVEMBER)
        renovation_id = renovation.id
    with context.db.session() as s:
        run_billing(s, period="2026-11", now=AFTER_NOVEMBER)
        again = run_billing(s, period="2026-11", now=AFTER_NOVEMBER)
        run_billing(s, period="2026-12", now=AFTER_DECEMBER)
        charged = [
            (period, description, amount)
            for period in ("2026-11", "2026-12")
            for utility, description, amount in lines(s, "B1/102", period)
            if utility == "one_off"
        ]
        with pytest.raises(Conflict, match="on the 2026-11 bill"):
            one_off_charges.withdraw(s, renovation_id, by=finance(s), now=AFTER_DECEMBER)
        actions = s.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.target.like("one_off_charge:%"))
        ).all()
    assert again.billed == [] and again.skipped == 5
    assert charged == [
        (
            "2026-11",
            "一次性费用 One-off fee 装修管理费 Renovation management: 厨房改造 kitchen refit",
            "500.00",
        )
    ]
    assert sorted(actions) == ["one_off_charge_added"] * 2 + ["one_off_charge_withdrawn"]


@given(
    month=st.sampled_from(["2026-02", "2028-02", "2026-04", "2026-11", "2026-12"]),
    monthly=st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2),
    cuts=st.lists(st.integers(min_value=1, max_value=31), max_size=5),
)
def test_proration_of_a_month_split_by_day_sums_to_the_whole(
    month: str, monthly: Decimal, cuts: list[int]
) -> None:
    """Split a month into consecutive day ranges: their prorated amounts sum to the month's
    to within one fen per range, and a longer range never costs less."""
    period = parse_period(month)
    days = span_in(period, None, None).month_days
    edges = sorted({1, *(c for c in cuts if c <= days), days + 1})
    spans = [
        span_in(period, date(period.year, period.month, a), date(period.year, period.month, b - 1))
        for a, b in pairwise(edges)
    ]
    assert sum(s.days for s in spans) == days
    parts = [prorate(monthly, span) for span in spans]
    assert abs(sum(parts) - monthly) <= D("0.01") * len(parts)
    amounts = [prorate(monthly, DaySpan(n, days)) for n in range(days + 1)]
    assert amounts == sorted(amounts) and amounts[-1] == monthly and amounts[0] == 0
