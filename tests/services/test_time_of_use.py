"""分时电价: a time-of-use electricity price bills each band of a multi-register meter from its
own register; a meter without the band's register is not billed for it and finance is told."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hub.context import HubContext
from hub.domain import TouBand
from hub.errors import InvalidInput
from hub.services.billing import run_billing
from hub.services.site import LoadResult, load_site
from hub.services.tariffs import Block, check_blocks
from tests.services.test_billing import AFTER_OCTOBER, add_readings, bill_json, bill_of
from tests.support.site_files import sample_data, site_file_of

D = Decimal


def with_time_of_use(context: HubContext) -> None:
    """em-b1-101 gets peak and valley registers; electricity v2 from October: peak 0.6170,
    valley 0.3070 (Shanghai-style 峰谷 prices)."""
    data = sample_data()
    meter = next(m for m in data["meters"] if m["device"] == "em-b1-101")
    meter["registers"] = {"peak": "energy_peak_kwh", "valley": "energy_valley_kwh"}
    data["tariffs"].append(
        {
            "utility": "electricity",
            "version": 2,
            "effective_from": "2026-10-01",
            "unit": "kWh",
            "tiers": [
                {"band": "peak", "unit_price": "0.6170"},
                {"band": "valley", "unit_price": "0.3070"},
            ],
        }
    )
    with context.db.session() as s:
        load_site(s, site_file_of(data), now=context.clock.now())


def test_each_band_is_billed_from_its_register(context: HubContext, site: LoadResult) -> None:
    """Peak 1000 -> 1120 (120 x 0.6170 = 74.04), valley 400 -> 480.5 (80.5 x 0.3070 =
    24.7135 -> 24.71); B1/102's meter has no registers: both bands not billed, both listed."""
    with_time_of_use(context)
    with context.db.session() as s:
        for metric, start, end in (
            ("energy_peak_kwh", "1000", "1120"),
            ("energy_valley_kwh", "400", "480.5"),
        ):
            add_readings(
                s, "em-b1-101", metric, ("2026-09-30 23:00", start), ("2026-10-31 23:00", end)
            )
        result = run_billing(s, period="2026-10", now=AFTER_OCTOBER)
        lines = bill_json(s, bill_of(s, "B1/101"))["lines"]
        other = bill_json(s, bill_of(s, "B1/102"))["lines"]
    electricity = [x for x in lines if x["utility"] == "electricity"]
    assert [(x["description"], x["quantity"], x["amount"]) for x in electricity] == [
        ("电费 Electricity em-b1-101 峰 peak", "120", "74.04"),
        ("电费 Electricity em-b1-101 谷 valley", "80.5", "24.71"),
    ]
    assert electricity[0]["start_reading"]["value"] == "1000"
    unbilled = [x for x in other if x["utility"] == "electricity"]
    assert [x["amount"] for x in unbilled] == ["0.00", "0.00"]
    assert "未计费 not billed" in unbilled[0]["description"]
    assert [(p.meter, p.code, p.params) for p in result.problems if p.home == "B1/102"][:2] == [
        ("em-b1-102", "no_register", {"band": "peak"}),
        ("em-b1-102", "no_register", {"band": "valley"}),
    ]


@pytest.mark.parametrize(
    "blocks",
    [
        [Block(None, D("0.6"), TouBand.PEAK), Block(None, D("0.3"), TouBand.PEAK)],
        [Block(None, D("0.6"), TouBand.PEAK), Block(None, D("0.3"))],
        [Block(D(100), D("0.6"), TouBand.PEAK), Block(None, D("0.3"), TouBand.VALLEY)],
    ],
)
def test_a_band_is_priced_once_and_without_limits(blocks: list[Block]) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_blocks(blocks)
    assert refused.value.code == "tariff_bands"
