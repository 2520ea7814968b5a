"""Other fees through the API: finance adds parking spaces, contracts and one-off charges and
withdraws an unbilled charge; admins read; an owner reads their own home's, another home is
404; every write audited. The clock stands at 2026-11-10 10:00 in Shanghai."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2

from hub.clock import FakeClock
from tests.api.conftest import home_id
from tests.conftest import ApiClient

SPACES, CONTRACTS = "/api/v1/parking/spaces", "/api/v1/parking/contracts"


def answer(response: object, status: int = 200) -> Any:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    return response.json()


def test_finance_lets_a_space_and_the_owner_sees_the_contract(api: ApiClient) -> None:
    site_id = answer(api.get(SPACES, as_user="admin"))[0]["site_id"]
    space = {"site_id": site_id, "code": "P-101", "kind": "rented", "monthly_fee": "250.00"}
    assert answer(api.post(SPACES, as_user="admin", json=space), 403)
    created = answer(api.post(SPACES, as_user="finance", json=space), 201)
    assert answer(api.post(SPACES, as_user="finance", json=space), 409)["code"] == (
        "parking_space_exists"
    )
    home = home_id(api, "owner101")
    contract = {"space_id": created["id"], "home_id": home, "starts_on": "2026-11-20"}
    let = answer(api.post(CONTRACTS, as_user="finance", json=contract), 201)
    assert (let["space"], let["home"], let["kind"], let["monthly_fee"]) == (
        "P-101",
        "B1/101",
        "rented",
        "250.00",
    )
    overlap = {**contract, "home_id": home_id(api, "owner102"), "starts_on": "2026-12-01"}
    taken = answer(api.post(CONTRACTS, as_user="finance", json=overlap), 409)
    assert taken["code"] == "parking_space_taken"
    ended = answer(
        api.post(f"{CONTRACTS}/{let['id']}/end", as_user="finance", json={"ends_on": "2026-11-30"})
    )
    assert ended["ends_on"] == "2026-11-30"
    answer(api.post(CONTRACTS, as_user="finance", json=overlap), 201)  # free from December

    mine = answer(api.get(f"/api/v1/homes/{home}/parking", as_user="owner101"))
    assert [(c["space"], c["starts_on"], c["ends_on"]) for c in mine] == [
        ("P-101", "2026-11-20", "2026-11-30")
    ]
    answer(api.get(f"/api/v1/homes/{home}/parking", as_user="owner102"), 404)
    listed = answer(api.get(CONTRACTS, as_user="admin"))
    assert {(c["space"], c["home"]) for c in listed} >= {("P-001", "B3/S01"), ("P-101", "B1/102")}
    audit = answer(api.get("/api/v1/audit", as_user="admin", params={"target": "parking_"}))
    assert [e["action"] for e in audit["items"][:4]] == [  # newest first; then the site file's
        "parking_contract_added",
        "parking_contract_ended",
        "parking_contract_added",
        "parking_space_added",
    ]


def test_a_one_off_charge_is_billed_once_and_withdrawn_only_before(
    api: ApiClient, clock: FakeClock
) -> None:
    home = home_id(api, "owner102")
    charges = f"/api/v1/homes/{home}/charges"
    card = {"kind": "access_card", "description": "补办门禁卡 replacement card", "amount": "20.00"}
    assert answer(api.post(charges, as_user="admin", json=card), 403)
    assert answer(api.post(charges, as_user="finance", json={**card, "amount": "0"}), 422)
    added = answer(api.post(charges, as_user="finance", json=card), 201)
    spare = answer(api.post(charges, as_user="finance", json={**card, "amount": "15.00"}), 201)
    withdrawn = answer(api.post(f"/api/v1/charges/{spare['id']}/withdraw", as_user="finance"))
    assert withdrawn["withdrawn_at"] is not None
    clock.advance(timedelta(days=22))  # into December: November has ended
    run = answer(api.post("/api/v1/billing/runs", as_user="finance", json={"period": "2026-11"}))
    assert "B1/102" in run["billed"]
    mine = answer(api.get(charges, as_user="owner102"))
    assert [(c["amount"], c["bill_period"], c["withdrawn_at"] is None) for c in mine] == [
        ("15.00", None, False),
        ("20.00", "2026-11", True),
    ]
    bill = answer(api.get(f"/api/v1/bills/{mine[1]['bill_id']}", as_user="owner102"))
    one_off = [line for line in bill["lines"] if line["utility"] == "one_off"]
    assert [(line["description"], line["amount"]) for line in one_off] == [
        ("一次性费用 One-off fee 门禁卡工本费 Access card: 补办门禁卡 replacement card", "20.00")
    ]
    refused = answer(api.post(f"/api/v1/charges/{added['id']}/withdraw", as_user="finance"), 409)
    assert refused["code"] == "charge_billed"
    answer(api.get(charges, as_user="owner101"), 404)
    assert answer(api.get(charges, as_user="admin"))[0]["id"] == spare["id"]


def test_finance_sets_a_homes_type_floor_and_billed_days(api: ApiClient) -> None:
    homes = answer(api.get("/api/v1/fees/homes", as_user="admin"))
    shop = next(h for h in homes if h["home"] == "B3/S01")
    assert (shop["home_type"], shop["floor"], shop["billed_from"]) == ("shop", 1, "2026-11-16")
    path = f"/api/v1/fees/homes/{shop['id']}"
    office = {"home_type": "office", "floor": 2, "billed_from": "2026-11-16"}
    answer(api.put(path, as_user="admin", json=office), 403)
    backwards = {**office, "billed_until": "2026-11-01"}
    assert answer(api.put(path, as_user="finance", json=backwards), 422)["code"] == (
        "home_billed_dates"
    )
    changed = answer(
        api.put(path, as_user="finance", json={**office, "billed_until": "2027-06-30"})
    )
    assert (changed["home_type"], changed["floor"], changed["billed_until"]) == (
        "office",
        2,
        "2027-06-30",
    )
    audit = answer(api.get("/api/v1/audit", as_user="admin", params={"target": "home:"}))
    assert audit["items"][0]["detail"] == ("B3/S01 office floor 2 billed 2026-11-16 to 2027-06-30")
