"""Tariffs through the API: finance and admins list every version, publish the next one from a
day to come, correct one not yet in force; a version in force never changes; others refused."""

from __future__ import annotations

from typing import Any

import httpx2

from tests.conftest import ApiClient

TARIFFS = "/api/v1/tariffs"  # the clock stands at 2026-11-10 10:00 in Shanghai


def answer(response: object, status: int = 200) -> Any:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    return response.json()


def water(effective_from: str, price: str) -> dict[str, Any]:
    return {"effective_from": effective_from, "unit": "m3", "tiers": [{"unit_price": price}]}


def put(api: ApiClient, tariff_id: int, body: dict[str, Any], user: str = "finance") -> object:
    return api.client.put(f"{TARIFFS}/{tariff_id}", json=body, headers=api.headers(user))


def test_the_sample_prices_are_listed(api: ApiClient) -> None:
    found = answer(api.get(TARIFFS, as_user="finance"))
    electricity = next(t for t in found if t["utility"] == "electricity")
    assert electricity["version"] == 1 and electricity["in_force"] is True
    assert electricity["effective_from"] == "2025-12-31T16:00:00Z"
    assert electricity["effective_on"] == "2026-01-01"
    assert [(t["up_to"], t["unit_price"]) for t in electricity["tiers"]] == [
        ("200", "0.5283"),
        ("400", "0.5783"),
        (None, "0.8283"),
    ]
    assert {t["utility"] for t in found} == {"electricity", "water", "property_fee"}


def test_a_new_price_is_the_next_version_from_a_day_to_come(api: ApiClient) -> None:
    site_id = answer(api.get(TARIFFS, as_user="admin"))[0]["site_id"]
    body = {"site_id": site_id, "utility": "water", **water("2026-12-01", "4.35")}
    published = answer(api.post(TARIFFS, as_user="finance", json=body), 201)
    assert (published["version"], published["in_force"]) == (2, False)
    assert published["effective_from"] == "2026-11-30T16:00:00Z"
    assert published["tiers"] == [{"seq": 1, "up_to": None, "unit_price": "4.35", "band": None}]
    corrected = answer(put(api, published["id"], water("2027-01-01", "4.3")))
    assert (corrected["version"], corrected["tiers"][0]["unit_price"]) == (2, "4.30")
    audit = answer(api.get("/api/v1/audit", as_user="admin", params={"target": "tariff:"}))
    assert [e["action"] for e in audit["items"]] == ["tariff_corrected", "tariff_published"]
    assert audit["items"][0]["detail"] == "water v2 from 2027-01-01: ∞@4.3 per m3"


def test_yearly_blocks_are_published_and_corrected_back_to_monthly(api: ApiClient) -> None:
    site_id = answer(api.get(TARIFFS, as_user="admin"))[0]["site_id"]
    beijing = {
        "site_id": site_id,
        "utility": "electricity",
        "effective_from": "2027-01-01",
        "unit": "kWh",
        "tier_period": "year",
        "tiers": [
            {"up_to": "2880", "unit_price": "0.4883"},
            {"up_to": "4800", "unit_price": "0.5383"},
            {"unit_price": "0.7883"},
        ],
    }
    published = answer(api.post(TARIFFS, as_user="finance", json=beijing), 201)
    assert (published["version"], published["tier_period"]) == (2, "year")
    monthly = {k: v for k, v in beijing.items() if k not in ("site_id", "utility", "tier_period")}
    corrected = answer(put(api, published["id"], monthly))
    assert corrected["tier_period"] == "month"
    refused = api.post(TARIFFS, as_user="finance", json={**beijing, "tier_period": "week"})
    assert answer(refused, 422)["code"] == "invalid_input"


def test_a_seasonal_price_names_its_months(api: ApiClient) -> None:
    site_id = answer(api.get(TARIFFS, as_user="admin"))[0]["site_id"]
    summer = {
        "site_id": site_id,
        "utility": "electricity",
        "effective_from": "2027-01-01",
        "unit": "kWh",
        "months": [9, 5, 6, 7, 8, 10, 5],
        "tiers": [{"up_to": "260", "unit_price": "0.5283"}, {"unit_price": "0.5783"}],
    }
    published = answer(api.post(TARIFFS, as_user="finance", json=summer), 201)
    assert published["months"] == [5, 6, 7, 8, 9, 10]
    audit = answer(api.get("/api/v1/audit", as_user="admin", params={"target": "tariff:"}))
    assert audit["items"][0]["detail"].startswith("electricity v2 from 2027-01-01 in months 5,")
    every = answer(put(api, published["id"], {**summer, "months": list(range(1, 13))}))
    assert every["months"] is None  # all twelve months: an all-year price
    refused = put(api, published["id"], {**summer, "months": [0, 13]})
    assert answer(refused, 422)["code"] == "invalid_input"


def test_prices_are_never_retroactive_nor_rewritten(api: ApiClient) -> None:
    found = answer(api.get(TARIFFS, as_user="finance"))
    in_force = next(t for t in found if t["utility"] == "water")
    refused = answer(put(api, in_force["id"], water("2026-12-01", "9")), 409)
    assert refused["code"] == "tariff_in_force"
    body = {"site_id": in_force["site_id"], "utility": "water", **water("2026-11-10", "5")}
    assert answer(api.post(TARIFFS, as_user="finance", json=body), 422)["code"] == (
        "tariff_retroactive"  # today has begun already
    )
    tiers = [{"up_to": "10", "unit_price": "1"}, {"up_to": "5", "unit_price": "2"}]
    bad = {**body, "effective_from": "2026-12-01", "tiers": [*tiers, {"unit_price": "3"}]}
    refused = answer(api.post(TARIFFS, as_user="finance", json=bad), 422)
    assert (refused["code"], refused["detail"]) == (
        "tariff_tiers",
        "tariff block limits (up_to) must be positive and strictly increase",
    )
    negative = {**body, "effective_from": "2026-12-01", "tiers": [{"unit_price": "-1"}]}
    answer(api.post(TARIFFS, as_user="finance", json=negative), 422)
    late_fee = {**body, "utility": "late_fee", "effective_from": "2026-12-01"}
    assert answer(api.post(TARIFFS, as_user="finance", json=late_fee), 422)["code"] == "not_priced"
    assert [t["version"] for t in answer(api.get(TARIFFS, as_user="finance"))] == [1, 3, 2, 1, 1]


def test_other_roles_are_refused(api: ApiClient) -> None:
    found = answer(api.get(TARIFFS, as_user="finance"))
    body = {"site_id": found[0]["site_id"], "utility": "water", **water("2026-12-01", "1")}
    for user in ("operator", "service", "tech", "guard", "owner101"):
        answer(api.get(TARIFFS, as_user=user), 403)
        answer(api.post(TARIFFS, as_user=user, json=body), 403)
        answer(put(api, found[0]["id"], water("2026-12-01", "1"), user), 403)
    answer(put(api, 999999, water("2026-12-01", "1")), 404)


def test_a_property_fee_is_published_for_a_home_type_and_floor_band(api: ApiClient) -> None:
    site_id = answer(api.get(TARIFFS, as_user="admin"))[0]["site_id"]
    shops = {
        "site_id": site_id,
        "utility": "property_fee",
        "effective_from": "2026-12-01",
        "unit": "m2",
        "tiers": [{"unit_price": "4.20"}],
        "home_type": "shop",
        "floor_from": 1,
        "floor_to": 1,
    }
    published = answer(api.post(TARIFFS, as_user="finance", json=shops), 201)
    assert (published["home_type"], published["floor_from"], published["floor_to"]) == (
        "shop",
        1,
        1,
    )
    audit = answer(api.get("/api/v1/audit", as_user="admin", params={"target": "tariff:"}))
    assert audit["items"][0]["detail"] == (
        "property_fee v4 from 2026-12-01 for shop homes on floors 1–1层 floors: ∞@4.2 per m2"
    )
    upside_down = answer(api.post(TARIFFS, as_user="finance", json={**shops, "floor_from": 7}), 422)
    assert upside_down["code"] == "tariff_floor_band"
    water_for_shops = {**shops, "utility": "water", "unit": "m3"}
    assert answer(api.post(TARIFFS, as_user="finance", json=water_for_shops), 422)["code"] == (
        "tariff_scope"
    )
