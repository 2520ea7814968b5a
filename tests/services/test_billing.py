"""Monthly billing on the sample estate, with readings placed around the month boundaries of
Asia/Shanghai; manual readings; payments."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hub.cli import app as hub
from hub.context import HubContext
from hub.domain import BillStatus, DeviceKind, TierPeriod, Utility
from hub.errors import Conflict, InvalidInput, NotFound
from hub.services import device_swaps
from hub.services.bill_views import BillOut
from hub.services.billing import run_billing
from hub.services.device_swaps import Replacement
from hub.services.meter_readings import import_readings
from hub.services.payment_providers import sandbox
from hub.services.payments import handle_notification, start_payment
from hub.services.site import LoadResult
from hub.storage.models import (
    Bill,
    BillLine,
    Building,
    Device,
    Home,
    Meter,
    Payment,
    Reading,
    Tariff,
    TariffTier,
    User,
)

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")
AFTER_OCTOBER = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


def local(text: str) -> datetime:
    """A Shanghai wall-clock time, e.g. "2026-10-31 23:59"."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def add_readings(session: Session, device_code: str, metric: str, *points: tuple[str, str]) -> None:
    device_id = session.scalars(sa.select(Device.id).where(Device.code == device_code)).one()
    for when, value in points:
        session.add(
            Reading(
                device_id=device_id,
                metric=metric,
                ts=local(when),
                value=D(value),
                received_at=AFTER_OCTOBER,
            )
        )
    session.flush()


@pytest.fixture
def october(context: HubContext, site: LoadResult) -> None:
    """Readings for October 2026 (Shanghai): normal, mid-month commissioning, problems."""
    with context.db.session() as s:
        add_readings(
            s,
            "em-b1-101",
            "energy_kwh",
            ("2026-09-30 23:00", "1000"),  # last before the month: the start reading
            ("2026-10-01 06:00", "1010"),  # 2026-09-30 22:00 UTC, yet inside October here
            ("2026-10-15 12:00", "1100"),
            ("2026-10-31 23:59", "1250"),  # the end reading
            ("2026-11-01 07:00", "1300"),  # 2026-10-31 23:00 UTC, yet November here
        )
        add_readings(
            s,
            "wm-b1-101",
            "water_m3",
            ("2026-10-01 00:00", "50.000"),  # exactly at the start: the start reading
            ("2026-11-01 00:00", "62.5"),  # exactly at the end: belongs to October's end
        )
        add_readings(
            s,
            "em-b1-102",
            "energy_kwh",
            ("2026-10-10 09:00", "0"),  # commissioned mid-month: first reading is the start
            ("2026-10-31 20:00", "80"),
        )
        # wm-b1-102: no readings at all
        add_readings(
            s,
            "em-b2-201",
            "energy_kwh",
            ("2026-09-30 12:00", "5000"),
            ("2026-10-30 12:00", "20"),  # meter replaced: went backwards
        )
        add_readings(s, "wm-b2-201", "water_m3", ("2026-09-20 08:00", "7"))  # silent in October


def bill_of(session: Session, home: str, period: str = "2026-10") -> Bill:
    building, code = home.split("/")
    return session.scalars(
        sa.select(Bill)
        .join(Home, Home.id == Bill.home_id)
        .join(Building, Building.id == Home.building_id)
        .where(Building.code == building, Home.code == code, Bill.period == period)
    ).one()


def bill_json(session: Session, bill: Bill) -> dict[str, Any]:
    """The bill as the API sends it to the owner's page."""
    return BillOut.of(session, bill).model_dump(mode="json")


def test_october_bill_uses_shanghai_month_boundaries(context: HubContext, october: None) -> None:
    with context.db.session() as s:
        result = run_billing(s, period="2026-10", now=AFTER_OCTOBER)
    assert result.billed == ["B1/101", "B1/102", "B2/201"]
    assert result.skipped == 0
    with context.db.session() as s:
        view = bill_json(s, bill_of(s, "B1/101"))
    assert view["home"] == "B1/101"
    assert view["status"] == "unpaid"
    lines = [
        (line["utility"], line["tier"], line["quantity"], line["unit_price"], line["amount"])
        for line in view["lines"]
    ]
    assert lines == [
        ("property_fee", None, "89.5", "2.50", "223.75"),
        ("electricity", 1, "200", "0.5283", "105.66"),
        ("electricity", 2, "50", "0.5783", "28.92"),  # 28.915 rounded half up
        ("water", None, "12.5", "4.10", "51.25"),
    ]
    assert view["total"] == "409.58"
    tier2 = view["lines"][2]
    assert tier2["description"] == "电费 Electricity em-b1-101 第2档 tier 2 (200–400 kWh)"
    assert tier2["tariff_version"] == 1
    assert tier2["start_reading"]["value"] == "1000"
    assert tier2["end_reading"]["value"] == "1250"
    assert tier2["end_reading"]["ts"] == "2026-10-31T15:59:00Z"
    water = view["lines"][3]
    assert (water["start_reading"]["value"], water["end_reading"]["value"]) == ("50", "62.5")


def test_mid_month_meter_and_problem_meters(context: HubContext, october: None) -> None:
    with context.db.session() as s:
        result = run_billing(s, period="2026-10", now=AFTER_OCTOBER)
    problems = {(p.home, p.meter): p.message for p in result.problems}
    assert set(problems) == {
        ("B1/102", "wm-b1-102"),
        ("B2/201", "em-b2-201"),
        ("B2/201", "wm-b2-201"),
    }
    assert "no readings" in problems[("B1/102", "wm-b1-102")]
    assert "went backwards from 5000" in problems[("B2/201", "em-b2-201")]
    assert "no reading during the month" in problems[("B2/201", "wm-b2-201")]
    with context.db.session() as s:
        b102 = bill_json(s, bill_of(s, "B1/102"))
        b201 = bill_json(s, bill_of(s, "B2/201"))
    # commissioned on the 10th: 80 kWh from its first reading, 42.264 -> 42.26
    assert [(x["utility"], x["quantity"], x["amount"]) for x in b102["lines"]] == [
        ("property_fee", "120", "300.00"),
        ("electricity", "80", "42.26"),
        ("water", "0", "0.00"),
    ]
    assert "未计费 not billed" in b102["lines"][2]["description"]
    assert b102["lines"][2]["start_reading"] is None
    assert b102["total"] == "342.26"
    assert b201["total"] == "190.63"  # only the property fee, 190.625 half up
    backwards = b201["lines"][1]
    assert (backwards["start_reading"]["value"], backwards["end_reading"]["value"]) == (
        "5000",
        "20",
    )
    assert backwards["amount"] == "0.00" and backwards["tier"] is None


def electricity_lines(
    session: Session, home: str, period: str = "2026-10"
) -> list[tuple[str, str, str]]:
    lines = bill_json(session, bill_of(session, home, period))["lines"]
    return [
        (x["description"], x["quantity"], x["amount"])
        for x in lines
        if x["utility"] == "electricity"
    ]


def test_a_reset_inside_the_month_is_flagged_though_the_ends_look_fine(
    context: HubContext, site: LoadResult
) -> None:
    """100 -> 140, reset, 0.5 -> 150: the two ends say 50 kWh where 189.5 were used."""
    with context.db.session() as s:
        add_readings(
            s,
            "em-b1-101",
            "energy_kwh",
            ("2026-09-30 23:00", "100"),
            ("2026-10-10 08:00", "140"),
            ("2026-10-11 09:30", "0.5"),
            ("2026-10-31 23:00", "150"),
        )
        result = run_billing(s, period="2026-10", now=AFTER_OCTOBER)
    [problem] = [p for p in result.problems if p.meter == "em-b1-101"]
    assert problem.code == "reading_backwards"
    assert problem.params == {"from": "140", "to": "0.5", "at": "2026-10-11 09:30"}
    with context.db.session() as s:
        [(description, quantity, amount)] = electricity_lines(s, "B1/101")
    assert "未计费 not billed" in description and (quantity, amount) == ("0", "0.00")


def test_a_register_that_wraps_past_its_maximum_is_billed_across_the_wrap(
    context: HubContext, site: LoadResult
) -> None:
    with context.db.session() as s:
        meter = s.scalars(sa.select(Meter).join(Device).where(Device.code == "em-b1-101")).one()
        meter.register_max = D("99999.9")
        add_readings(
            s,
            "em-b1-101",
            "energy_kwh",
            ("2026-09-30 23:00", "99950.0"),
            ("2026-10-15 12:00", "99990.0"),
            ("2026-10-16 12:00", "2.5"),  # 99990.0 -> 100000.0 -> 2.5: 12.5 kWh
            ("2026-10-31 23:00", "30.0"),
        )
        result = run_billing(s, period="2026-10", now=AFTER_OCTOBER)
        assert [p.meter for p in result.problems if p.meter == "em-b1-101"] == []
        [(description, quantity, amount)] = electricity_lines(s, "B1/101")
    assert (quantity, amount) == ("80", "42.26")  # 50 + 30 kWh x 0.5283 = 42.264
    assert "register wrapped 1x" in description


def test_two_meters_of_one_home_share_the_households_tiers(
    context: HubContext, site: LoadResult
) -> None:
    """150 + 100 kWh in one home: 200 at tier 1 and 50 at tier 2, not two tier-1 allowances."""
    with context.db.session() as s:
        first = s.scalars(sa.select(Device).where(Device.code == "em-b1-101")).one()
        second = Device(
            site_id=first.site_id,
            code="em-b1-101-ac",
            kind=DeviceKind.ELECTRICITY_METER,
            name="空调电表 Air-conditioning meter",
            building_id=first.building_id,
            home_id=first.home_id,
        )
        s.add(second)
        s.flush()
        s.add(
            Meter(
                device_id=second.id,
                home_id=first.home_id,
                utility=Utility.ELECTRICITY,
                reading_key="energy_kwh",
                unit="kWh",
            )
        )
        add_readings(
            s, "em-b1-101", "energy_kwh", ("2026-09-30 23:00", "1000"), ("2026-10-31 23:00", "1150")
        )
        add_readings(
            s, "em-b1-101-ac", "energy_kwh", ("2026-09-30 23:00", "0"), ("2026-10-31 23:00", "100")
        )
        run_billing(s, period="2026-10", now=AFTER_OCTOBER)
        lines = electricity_lines(s, "B1/101")
    assert [(quantity, amount) for _, quantity, amount in lines] == [
        ("150", "79.25"),  # 150 x 0.5283 = 79.245
        ("50", "26.42"),  # the second meter fills tier 1: 50 x 0.5283 = 26.415
        ("50", "28.92"),  # and goes on in tier 2: 50 x 0.5783 = 28.915
    ]
    assert "em-b1-101-ac 第2档 tier 2" in lines[2][0]


def test_rerun_changes_nothing(context: HubContext, october: None) -> None:
    with context.db.session() as s:
        run_billing(s, period="2026-10", now=AFTER_OCTOBER)
    with context.db.session() as s:
        before = [bill_json(s, bill) for bill in s.scalars(sa.select(Bill).order_by(Bill.id))]
        add_readings(s, "wm-b1-102", "water_m3", ("2026-10-31 12:00", "3"))  # arrives late
    with context.db.session() as s:
        again = run_billing(s, period="2026-10", now=datetime(2026, 12, 1, tzinfo=UTC))
    assert (again.billed, again.skipped, again.problems) == ([], 3, [])
    with context.db.session() as s:
        after = [bill_json(s, bill) for bill in s.scalars(sa.select(Bill).order_by(Bill.id))]
        assert s.scalar(sa.select(sa.func.count(BillLine.id))) == sum(
            len(b["lines"]) for b in before
        )
    assert after == before


def test_dry_run_reports_and_writes_nothing(context: HubContext, october: None) -> None:
    with context.db.session() as s:
        preview = run_billing(s, period="2026-10", now=AFTER_OCTOBER, dry_run=True)
    assert preview.billed == ["B1/101", "B1/102", "B2/201"] and preview.bill_ids == []
    assert len(preview.problems) == 3
    with context.db.session() as s:
        assert s.scalar(sa.select(sa.func.count(Bill.id))) == 0


@pytest.mark.parametrize(
    ("now", "refused"),
    [
        (datetime(2026, 10, 31, 15, 59, 59, tzinfo=UTC), True),  # 23:59:59 in Shanghai
        (datetime(2026, 10, 31, 16, 0, tzinfo=UTC), False),  # 2026-11-01 00:00 in Shanghai
    ],
)
def test_open_period_is_refused(
    context: HubContext, site: LoadResult, now: datetime, refused: bool
) -> None:
    with context.db.session() as s:
        if refused:
            with pytest.raises(InvalidInput, match="2026-10 has not ended yet"):
                run_billing(s, period="2026-10", now=now)
        else:
            assert len(run_billing(s, period="2026-10", now=now).billed) == 3


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "October", "2026-10-01", ""])
def test_malformed_period_is_refused(context: HubContext, period: str) -> None:
    with context.db.session() as s, pytest.raises(InvalidInput, match="YYYY-MM"):
        run_billing(s, period=period, now=AFTER_OCTOBER)


def test_a_month_before_any_tariff_is_refused_whole(context: HubContext, site: LoadResult) -> None:
    with (
        context.db.session() as s,
        pytest.raises(InvalidInput, match=r"no \w+ tariff is effective"),
    ):
        run_billing(s, period="2025-12", now=AFTER_OCTOBER)
    with context.db.session() as s:
        assert s.scalar(sa.select(sa.func.count(Bill.id))) == 0


def test_tariff_version_in_force_at_the_period_start(context: HubContext, site: LoadResult) -> None:
    with context.db.session() as s:
        s.add(
            Tariff(
                site_id=site.site_id,
                utility=Utility.PROPERTY_FEE,
                version=4,  # the sample's versions 2 and 3 price high-rise homes and shops
                effective_from=local("2026-10-15 00:00"),
                unit="m2",
                tiers=[TariffTier(seq=1, up_to=None, unit_price=D("3.00"))],
            )
        )
    with context.db.session() as s:
        run_billing(s, period="2026-10", now=datetime(2026, 12, 2, tzinfo=UTC))
        run_billing(s, period="2026-11", now=datetime(2026, 12, 2, tzinfo=UTC))
    with context.db.session() as s:
        october, november = (bill_json(s, bill_of(s, "B1/101", p)) for p in ("2026-10", "2026-11"))
    assert (october["lines"][0]["tariff_version"], october["lines"][0]["amount"]) == (1, "223.75")
    assert (november["lines"][0]["tariff_version"], november["lines"][0]["amount"]) == (4, "268.50")


@pytest.mark.parametrize(
    ("season", "expected"),
    [
        # October in the summer blocks (260 / 600 kWh): B1/101's 250 kWh all in block 1
        ("10", [(2, "250", "132.08")]),
        # a June-September season leaves October to the all-year version: 200 + 50
        ("6,7,8,9", [(1, "200", "105.66"), (1, "50", "28.92")]),
    ],
)
def test_a_seasonal_price_applies_in_its_months_only(
    context: HubContext,
    site: LoadResult,
    october: None,
    season: str,
    expected: list[tuple[int, str, str]],
) -> None:
    """A newer seasonal version wins in its months; the all-year one keeps the others."""
    with context.db.session() as s:
        s.add(
            Tariff(
                site_id=site.site_id,
                utility=Utility.ELECTRICITY,
                version=2,
                effective_from=local("2026-01-01 00:00"),
                unit="kWh",
                months=season,
                tiers=[
                    TariffTier(seq=1, up_to=D(260), unit_price=D("0.5283")),
                    TariffTier(seq=2, up_to=D(600), unit_price=D("0.5783")),
                    TariffTier(seq=3, up_to=None, unit_price=D("0.8283")),
                ],
            )
        )
    with context.db.session() as s:
        run_billing(s, period="2026-10", now=AFTER_OCTOBER)
        lines = bill_json(s, bill_of(s, "B1/101"))["lines"]
    electricity = [line for line in lines if line["utility"] == "electricity"]
    assert [(x["tariff_version"], x["quantity"], x["amount"]) for x in electricity] == expected
    assert ("季节价 season 10月" in electricity[0]["description"]) is (season == "10")


def test_yearly_blocks_pick_up_where_the_years_earlier_bills_left_off(
    context: HubContext, site: LoadResult
) -> None:
    """Beijing-style blocks of 2,880 / 4,800 kWh a year: September uses 2,850 of tier 1, so
    October's 100 kWh are 30 at tier 1 and 70 at tier 2; January starts the year again."""
    with context.db.session() as s:
        s.add(
            Tariff(
                site_id=site.site_id,
                utility=Utility.ELECTRICITY,
                version=2,
                effective_from=local("2026-09-01 00:00"),
                unit="kWh",
                tier_period=TierPeriod.YEAR,
                tiers=[
                    TariffTier(seq=1, up_to=D(2880), unit_price=D("0.4883")),
                    TariffTier(seq=2, up_to=D(4800), unit_price=D("0.5383")),
                    TariffTier(seq=3, up_to=None, unit_price=D("0.7883")),
                ],
            )
        )
        add_readings(
            s,
            "em-b1-101",
            "energy_kwh",
            ("2026-08-31 23:00", "0"),
            ("2026-09-30 23:00", "2850"),
            ("2026-10-31 23:00", "2950"),
            ("2027-01-31 23:00", "3050"),
        )
    after_january = datetime(2027, 2, 10, tzinfo=UTC)
    with context.db.session() as s:
        for period in ("2026-09", "2026-10", "2027-01"):
            run_billing(s, period=period, now=after_january)
        september, october, january = (
            electricity_lines(s, "B1/101", period) for period in ("2026-09", "2026-10", "2027-01")
        )
    assert [(q, a) for _, q, a in september] == [("2850", "1391.66")]  # 1391.655
    assert [(q, a) for _, q, a in october] == [
        ("30", "14.65"),  # 30 x 0.4883 = 14.649
        ("70", "37.68"),  # 70 x 0.5383 = 37.681
    ]
    assert "第2档 tier 2 (2880–4800 kWh 年累计 a year)" in october[1][0]
    assert [(q, a) for _, q, a in january] == [("100", "48.83")]


def test_paying_once_and_only_ones_own(context: HubContext, october: None) -> None:
    """Owners pay through the provider: the bill is paid by its verified notification, once."""
    provider = sandbox(context.settings)
    with context.db.session() as s:
        run_billing(s, period="2026-10", now=AFTER_OCTOBER)
    with context.db.session() as s:
        owner101 = s.scalars(sa.select(User).where(User.username == "owner101")).one()
        bill, other = bill_of(s, "B1/101"), bill_of(s, "B1/102")
        with pytest.raises(NotFound):
            start_payment(s, bill_id=other.id, owner=owner101, provider=provider, now=AFTER_OCTOBER)
        intent, _ = start_payment(
            s, bill_id=bill.id, owner=owner101, provider=provider, now=AFTER_OCTOBER
        )
        assert intent.amount == D("409.58") and bill.status is BillStatus.UNPAID
        headers, body = provider.sign(intent.out_trade_no, intent.amount, now=AFTER_OCTOBER)
    for _ in range(2):  # a provider may deliver the same notification twice
        with context.db.session() as s:
            result = handle_notification(
                s, verifier=provider, headers=headers, body=body, now=AFTER_OCTOBER
            )
            assert result.accepted
    with context.db.session() as s:
        assert bill_of(s, "B1/101").status is BillStatus.PAID
        assert s.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1
        with pytest.raises(Conflict, match="already paid"):
            start_payment(s, bill_id=bill.id, owner=owner101, provider=provider, now=AFTER_OCTOBER)


# --- manual readings (人工抄表) -------------------------------------------------------------


def test_manual_readings_feed_the_bill(context: HubContext, site: LoadResult) -> None:
    rows = [
        ["meter", "value", "taken_at"],
        ["wm-b1-102", "10.5", "2026-09-30 18:00"],
        ["B1/102/water", "18", "2026-10-31T23:30+08:00"],
    ]
    with context.db.session() as s:
        result = import_readings(s, site_code="green-garden", rows=rows, now=AFTER_OCTOBER)
    assert (result.imported, result.unchanged) == (2, 0)
    with context.db.session() as s:
        again = import_readings(s, site_code="green-garden", rows=rows, now=AFTER_OCTOBER)
        assert (again.imported, again.unchanged) == (0, 2)
        stored = s.scalars(sa.select(Reading).order_by(Reading.ts)).all()
        assert [(r.source, r.ts) for r in stored] == [
            ("manual", datetime(2026, 9, 30, 10, 0, tzinfo=UTC)),
            ("manual", datetime(2026, 10, 31, 15, 30, tzinfo=UTC)),
        ]
    with context.db.session() as s:
        run_billing(s, period="2026-10", now=AFTER_OCTOBER)
        water = bill_json(s, bill_of(s, "B1/102"))["lines"][-1]
    assert (water["quantity"], water["amount"]) == ("7.5", "30.75")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["em-nope", "1", "2026-10-01 00:00"], "line 2: no meter 'em-nope'"),
        (["em-b1-101", "abc", "2026-10-01 00:00"], "line 2: value 'abc' is not a number"),
        (["em-b1-101", "-1", "2026-10-01 00:00"], "line 2: value '-1' must be from 0"),
        (["em-b1-101", "1", "31/10/2026"], "line 2: taken_at '31/10/2026' is not a date"),
        (
            ["em-b1-101", "1", "2027-01-01 00:00"],
            "line 2: taken_at '2027-01-01 00:00' is in the future",
        ),
        (["em-b1-101", "1"], "line 2: expected 3 columns"),
        (["em-b1-101", "2", "2026-10-01 00:00"], "line 2: .* is also on line 1 with another value"),
    ],
)
def test_bad_manual_rows_name_the_line_and_import_nothing(
    context: HubContext, site: LoadResult, row: list[str], message: str
) -> None:
    rows = [["em-b1-101", "1", "2026-10-01 00:00"], row]
    with context.db.session() as s, pytest.raises(InvalidInput, match=message):
        import_readings(s, site_code="green-garden", rows=rows, now=AFTER_OCTOBER)
    with context.db.session() as s:
        assert s.scalar(sa.select(sa.func.count(Reading.id))) == 0


def test_manual_reading_never_overwrites_a_stored_one(
    context: HubContext, site: LoadResult
) -> None:
    with context.db.session() as s:
        add_readings(s, "em-b1-101", "energy_kwh", ("2026-10-01 00:00", "100"))
    with context.db.session() as s, pytest.raises(InvalidInput, match="already has 100"):
        import_readings(
            s,
            site_code="green-garden",
            rows=[["em-b1-101", "99", "2026-10-01 00:00"]],
            now=AFTER_OCTOBER,
        )


def test_cli_bills_the_month_once(context: HubContext, october: None) -> None:
    """`hub billing run` uses the real clock: October 2026 is over."""
    runner = CliRunner()
    first = runner.invoke(hub, ["billing", "run", "--period", "2026-10"])
    assert first.exit_code == 0, first.output
    assert re.search(r"billed\s+│\s+3", first.output)
    assert "wm-b1-102" in first.output and "went backwards" in first.output
    second = runner.invoke(hub, ["billing", "run", "--period", "2026-10"])
    assert re.search(r"skipped \(already billed\)\s+│\s+3", second.output)
    assert re.search(r"billed\s+│\s+0", second.output)
    refused = runner.invoke(hub, ["billing", "run", "--period", "2099-01"])
    assert refused.exit_code == 1
    assert "2099-01 has not ended yet" in refused.output
    with context.db.session() as s:
        assert s.scalar(sa.select(sa.func.count(Bill.id))) == 3


def test_a_meter_swapped_mid_month_bills_old_then_new_and_then_only_the_new(
    context: HubContext, site: LoadResult
) -> None:
    """Old 1000 -> final 1150 at the swap, new initial 0 -> 80: 150 + 80 = 230 kWh in one
    household's tiers; the next month bills the new meter only."""
    with context.db.session() as s:
        add_readings(
            s,
            "em-b1-101",
            "energy_kwh",
            ("2026-09-30 23:00", "1000"),
            ("2026-10-10 12:00", "1100"),
        )
        old = s.scalars(sa.select(Device).where(Device.code == "em-b1-101")).one()
        admin = s.scalars(sa.select(User).where(User.username == "admin")).one()
        replacement = Replacement(
            code="em-b1-101-2", final_reading=D(1150), initial_reading=D(0), reason="坏了 broken"
        )
        device_swaps.replace(s, old, replacement, by=admin, now=local("2026-10-15 12:00"))
        add_readings(
            s,
            "em-b1-101-2",
            "energy_kwh",
            ("2026-10-31 23:00", "80"),
            ("2026-11-30 23:00", "180"),
        )
        october = run_billing(s, period="2026-10", now=AFTER_OCTOBER)
        assert [p.meter for p in october.problems if p.meter.startswith("em-b1-101")] == []
        run_billing(s, period="2026-11", now=datetime(2026, 12, 2, tzinfo=UTC))
        lines = electricity_lines(s, "B1/101")
        november = electricity_lines(s, "B1/101", "2026-11")
    assert [(q, a) for _, q, a in lines] == [
        ("150", "79.25"),  # the old meter, 1000 -> its final 1150: 150 x 0.5283 = 79.245
        ("50", "26.42"),  # the new one from its initial 0, tier 1 first: 50 x 0.5283
        ("30", "17.35"),  # then tier 2: 30 x 0.5783 = 17.349
    ]
    assert "em-b1-101 " in lines[0][0] and "em-b1-101-2" in lines[1][0]
    assert [(q, a) for _, q, a in november] == [("100", "52.83")]  # 80 -> 180, new meter only
