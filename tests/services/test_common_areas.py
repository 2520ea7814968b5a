"""公摊: common-area meters shared among the homes they serve, to the fen, loaded from the site
file; the shares add up exactly to what the meter cost and each line states its basis."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hub.context import HubContext
from hub.domain import DeviceKind, ShareBasis, Utility
from hub.errors import ConfigError
from hub.services.billing import run_billing
from hub.services.billing.run import COMMON_LABEL
from hub.services.site import LoadResult, load_site
from hub.site_file import SAMPLE_SITE, CommonMeterSpec, DeviceSpec, SiteFile, parse_site_file
from tests.services.test_billing import AFTER_OCTOBER, add_readings, bill_json, bill_of

D = Decimal


def with_common_meters(*meters: tuple[str, str | None, Utility, ShareBasis]) -> SiteFile:
    """The sample estate plus common meters: (device code, building or None, utility, basis)."""
    spec = parse_site_file(SAMPLE_SITE)
    for code, building, utility, basis in meters:
        electric = utility is Utility.ELECTRICITY
        spec.devices.append(
            DeviceSpec(
                code=code,
                kind=DeviceKind.ELECTRICITY_METER if electric else DeviceKind.WATER_METER,
                name=f"公摊表 Common meter {code}",
                building=building,
            )
        )
        spec.common_meters.append(
            CommonMeterSpec(
                device=code,
                utility=utility,
                reading_key="energy_kwh" if electric else "water_m3",
                unit="kWh" if electric else "m3",
                share=basis,
            )
        )
    return spec


def shares(context: HubContext, home: str) -> list[tuple[str, str, str, str]]:
    with context.db.session() as s:
        lines = bill_json(s, bill_of(s, home))["lines"]
    return [
        (x["description"], x["quantity"], x["unit"], x["amount"])
        for x in lines
        if x["share_basis"] is not None
    ]


def test_a_lift_meter_is_shared_by_floor_area_among_its_buildings_homes(
    context: HubContext, site: LoadResult
) -> None:
    """100 kWh x 0.5283 = ¥52.83 over 89.50 and 120.00 m²: 22.5694… and 30.2606…, the last
    fen to the larger remainder; building 2 pays nothing for building 1's lift."""
    with context.db.session() as s:
        load_site(
            s,
            with_common_meters(("em-lift-b1", "B1", Utility.ELECTRICITY, ShareBasis.AREA)),
            now=context.clock.now(),
        )
        add_readings(
            s, "em-lift-b1", "energy_kwh", ("2026-09-30 23:00", "500"), ("2026-10-31 23:00", "600")
        )
        result = run_billing(s, period="2026-10", now=AFTER_OCTOBER)
    assert [p for p in result.problems if p.meter == "em-lift-b1"] == []
    [b101] = shares(context, "B1/101")
    [b102] = shares(context, "B1/102")
    assert b101 == (
        "公摊 Common area 电费 Electricity em-lift-b1: 按面积 by floor area 89.50/209.50 m2"
        " × ¥52.83",
        "89.5",
        "m2",
        "22.57",
    )
    assert b102[1:] == ("120", "m2", "30.26")
    assert shares(context, "B2/201") == []


def test_an_estate_pump_is_shared_per_household_and_by_own_use(
    context: HubContext, site: LoadResult
) -> None:
    spec = with_common_meters(
        ("wm-pump", None, Utility.WATER, ShareBasis.HOUSEHOLD),
        ("em-corridor-b1", "B1", Utility.ELECTRICITY, ShareBasis.CONSUMPTION),
    )
    with context.db.session() as s:
        load_site(s, spec, now=context.clock.now())
        add_readings(
            s, "wm-pump", "water_m3", ("2026-09-30 23:00", "20"), ("2026-10-31 23:00", "30")
        )
        add_readings(
            s,
            "em-corridor-b1",
            "energy_kwh",
            ("2026-09-30 23:00", "0"),
            ("2026-10-31 23:00", "100"),
        )
        add_readings(
            s, "em-b1-101", "energy_kwh", ("2026-09-30 23:00", "0"), ("2026-10-31 23:00", "150")
        )
        add_readings(
            s, "em-b1-102", "energy_kwh", ("2026-09-30 23:00", "0"), ("2026-10-31 23:00", "50")
        )
        run_billing(s, period="2026-10", now=AFTER_OCTOBER)
    pump = {home: shares(context, home)[0] for home in ("B1/101", "B1/102", "B2/201")}
    # 10 m3 x 4.10 = ¥41.00 over 3 homes: 13.666… each, the two extra fen to the first homes
    assert [share[3] for share in pump.values()] == ["13.67", "13.67", "13.66"]
    assert "按户 per household 1/3 户" in pump["B2/201"][0]
    # ¥52.83 by 150:50 kWh of the homes' own use: 39.6225 and 13.2075 -> 39.62 and 13.21
    corridor = {home: shares(context, home)[1] for home in ("B1/101", "B1/102")}
    assert [(share[1], share[3]) for share in corridor.values()] == [
        ("150", "39.62"),
        ("50", "13.21"),
    ]


def test_a_common_meter_without_readings_is_reported_and_shared_with_nobody(
    context: HubContext, site: LoadResult
) -> None:
    with context.db.session() as s:
        load_site(
            s,
            with_common_meters(("em-lift-b1", "B1", Utility.ELECTRICITY, ShareBasis.AREA)),
            now=context.clock.now(),
        )
        result = run_billing(s, period="2026-10", now=AFTER_OCTOBER)
    [problem] = [p for p in result.problems if p.meter == "em-lift-b1"]
    assert (problem.home, problem.code) == (COMMON_LABEL, "no_readings")
    assert shares(context, "B1/101") == []


COMMON = {"utility": "electricity", "reading_key": "energy_kwh", "unit": "kWh", "share": "area"}


@pytest.mark.parametrize(
    ("meter", "message"),
    [
        ({**COMMON, "device": "em-b1-101"}, "common_meters.em-b1-101: a common meter belongs to"),
        ({**COMMON, "device": "em-nope"}, "common_meters.em-nope.device: no such device"),
        ({**COMMON, "device": "em-b1-101", "share": "x"}, "'area', 'household' or 'consumption'"),
    ],
)
def test_the_site_file_refuses_bad_common_meters(meter: dict[str, str], message: str) -> None:
    spec = parse_site_file(SAMPLE_SITE).model_dump(by_alias=True, exclude_none=True)
    spec["common_meters"] = [meter]
    with pytest.raises((ConfigError, ValueError), match=message):
        SiteFile.model_validate(spec)
