"""Bills through the API: finance runs October, owners see (only) their own bills with the
readings behind each line and pay them once (through the provider: tests/api/test_payments_api.py),
finance follows arrears; wrong roles are refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2
import pytest

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services.meter_readings import import_readings
from hub.services.site import LoadResult
from tests.conftest import ApiClient
from tests.support.payments import counter_pay, notify, sandbox_notification, start

RUNS = "/api/v1/billing/runs"


def ok(response: object, status: int = 200) -> Any:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    return response.json()


def status_of(response: object) -> int:
    assert isinstance(response, httpx2.Response)
    return response.status_code


@pytest.fixture
def october(api: ApiClient, context: HubContext, site: LoadResult) -> dict[str, Any]:
    """October 2026 meter readings entered by hand (人工抄表), then billed by finance."""
    rows = [
        ["em-b1-101", "1000", "2026-09-30 23:00"],
        ["em-b1-101", "1250", "2026-10-31 23:59"],
        ["wm-b1-101", "50", "2026-10-01 00:00"],
        ["wm-b1-101", "62.5", "2026-11-01 00:00"],
        ["em-b1-102", "300", "2026-09-30 20:00"],
        ["em-b1-102", "310", "2026-10-31 20:00"],
        ["wm-b1-102", "1", "2026-09-30 20:00"],
        ["wm-b1-102", "2", "2026-10-31 20:00"],
        ["em-b2-201", "10", "2026-09-30 20:00"],
        ["em-b2-201", "20", "2026-10-31 20:00"],
        # wm-b2-201 has no reading: a problem the run reports
    ]
    with context.db.session() as session:
        import_readings(session, site_code="green-garden", rows=rows, now=context.clock.now())
    return dict(ok(api.post(RUNS, as_user="finance", json={"period": "2026-10"})))


def bill_id(api: ApiClient, home: str) -> int:
    bills = ok(api.get("/api/v1/bills", as_user="finance"))
    return int(next(b["id"] for b in bills if b["home"] == home))


def test_finance_runs_a_month_once(api: ApiClient, october: dict[str, Any]) -> None:
    assert october["billed"] == ["B1/101", "B1/102", "B2/201"]
    [problem] = october["problems"]
    assert (problem["home"], problem["meter"]) == ("B2/201", "wm-b2-201")
    assert problem["message"].startswith("no readings at all up to the end of the month; enter")
    again = ok(api.post(RUNS, as_user="admin", json={"period": "2026-10"}))
    assert (again["billed"], again["skipped"], again["problems"]) == ([], 3, [])
    still_open = api.post(RUNS, as_user="finance", json={"period": "2026-11"})
    assert status_of(still_open) == 422
    assert "2026-11 has not ended yet" in ok(still_open, 422)["detail"]
    assert (
        "YYYY-MM"
        in ok(api.post(RUNS, as_user="finance", json={"period": "10/2026"}), 422)["detail"]
    )


def test_owner_sees_own_bill_with_the_readings(api: ApiClient, october: dict[str, Any]) -> None:
    bills = ok(api.get("/api/v1/bills", as_user="owner101"))
    assert [(b["home"], b["period"], b["total"], b["status"]) for b in bills] == [
        ("B1/101", "2026-10", "409.58", "unpaid")
    ]
    bill = ok(api.get(f"/api/v1/bills/{bills[0]['id']}", as_user="owner101"))
    assert bill == bills[0]
    assert set(bill) >= {"id", "home", "period", "total", "status", "issued_at", "lines"}
    tier2 = bill["lines"][2]
    assert {
        k: tier2[k] for k in ("utility", "quantity", "unit", "unit_price", "amount", "tier")
    } == {
        "utility": "electricity",
        "quantity": "50",
        "unit": "kWh",
        "unit_price": "0.5783",
        "amount": "28.92",
        "tier": 2,
    }
    assert tier2["tariff_version"] == 1
    assert tier2["start_reading"]["value"] == "1000"
    assert tier2["end_reading"] == {
        "id": tier2["end_reading"]["id"],
        "value": "1250",
        "ts": "2026-10-31T15:59:00Z",
        "original": None,  # not corrected
    }
    assert bill["lines"][0]["start_reading"] is None  # the property fee has no meter


def test_another_owners_bill_is_not_found(api: ApiClient, october: dict[str, Any]) -> None:
    other = bill_id(api, "B1/102")
    assert status_of(api.get(f"/api/v1/bills/{other}", as_user="owner101")) == 404
    assert status_of(api.post(f"/api/v1/bills/{other}/pay", as_user="owner101")) == 404
    assert status_of(api.get("/api/v1/bills/999999", as_user="finance")) == 404


def test_wrong_roles_are_refused(api: ApiClient, october: dict[str, Any]) -> None:
    some_bill = bill_id(api, "B1/101")
    for user in ("operator", "guard", "tech"):
        assert status_of(api.get("/api/v1/bills", as_user=user)) == 403
        assert status_of(api.get(f"/api/v1/bills/{some_bill}", as_user=user)) == 403
        assert status_of(api.get("/api/v1/bills/arrears", as_user=user)) == 403
        assert status_of(api.post(RUNS, as_user=user, json={"period": "2026-10"})) == 403
        assert status_of(api.post(f"/api/v1/bills/{some_bill}/pay", as_user=user)) == 403


def test_owners_and_service_cannot_run_billing_or_see_arrears(
    api: ApiClient, october: dict[str, Any]
) -> None:
    for user in ("owner101", "service"):
        assert status_of(api.post(RUNS, as_user=user, json={"period": "2026-10"})) == 403
        assert status_of(api.get("/api/v1/bills/arrears", as_user=user)) == 403


def test_customer_service_filters_by_period(api: ApiClient, october: dict[str, Any]) -> None:
    october_bills = ok(api.get("/api/v1/bills", as_user="service", params={"period": "2026-10"}))
    assert [b["home"] for b in october_bills] == ["B1/101", "B1/102", "B2/201"]
    assert ok(api.get("/api/v1/bills", as_user="service", params={"period": "2026-09"})) == []
    assert status_of(api.get("/api/v1/bills", as_user="service", params={"period": "x"})) == 422


def test_finance_filters_by_building_and_status(
    api: ApiClient, clock: FakeClock, october: dict[str, Any]
) -> None:
    def homes(**query: str) -> list[str]:
        return [b["home"] for b in ok(api.get("/api/v1/bills", as_user="finance", params=query))]

    assert homes(building="B1") == ["B1/101", "B1/102"]
    assert homes(building="B9") == []
    receipt = {"method": "cash", "amount": "309.38", "receipt_no": "R-1"}
    ok(
        counter_pay(api, bill_id(api, "B1/102"), receipt),
        201,
    )
    assert homes(status="paid") == ["B1/102"]
    assert homes(status="unpaid", building="B1") == ["B1/101"]
    assert homes(status="overdue") == []  # issued today
    clock.advance(timedelta(days=30))
    assert homes(status="overdue", period="2026-10") == ["B1/101", "B2/201"]
    assert status_of(api.get("/api/v1/bills", as_user="finance", params={"status": "x"})) == 422


def test_owner_pays_once_and_arrears_shrink(
    api: ApiClient, context: HubContext, october: dict[str, Any]
) -> None:
    mine = bill_id(api, "B1/101")
    arrears = ok(api.get("/api/v1/bills/arrears", as_user="finance"))
    assert [(a["home"], a["period"], a["amount"]) for a in arrears] == [
        ("B1/101", "2026-10", "409.58"),
        ("B1/102", "2026-10", "309.38"),  # fee 300.00 + 10 kWh 5.28 + 1 m3 4.10
        ("B2/201", "2026-10", "195.91"),  # fee 190.63 + 10 kWh 5.28; water not billed
    ]
    intent = start(api, mine)
    assert intent["amount"] == "409.58" and intent["provider"] == "sandbox"
    unpaid = ok(api.get(f"/api/v1/bills/{mine}", as_user="owner101"))
    assert unpaid["status"] == "unpaid"  # starting to pay is not paying
    headers, body = sandbox_notification(context, intent)
    assert notify(api, headers, body).status_code == 200
    paid = ok(api.get(f"/api/v1/bills/{mine}", as_user="owner101"))
    assert paid["status"] == "paid"
    assert (paid["paid"], paid["outstanding"]) == ("409.58", "0.00")
    (share,) = paid["allocations"]
    assert share["method"] == "sandbox" and share["amount"] == "409.58"
    assert share["receipt_no"].startswith("EP-")
    twice = api.post(f"/api/v1/bills/{mine}/pay", as_user="owner101")
    assert status_of(twice) == 409
    left = ok(api.get("/api/v1/bills/arrears", as_user="admin"))
    assert [a["home"] for a in left] == ["B1/102", "B2/201"]


def test_staff_reads_of_bills_are_audited_owners_own_are_not(
    api: ApiClient, october: dict[str, Any]
) -> None:
    home_bill = bill_id(api, "B1/101")
    ok(api.get(f"/api/v1/bills/{home_bill}", as_user="service"))
    ok(api.get(f"/api/v1/bills/{home_bill}", as_user="owner101"))
    ok(api.get("/api/v1/bills/arrears", as_user="finance"))
    reads = ok(api.get("/api/v1/audit?action=read&limit=500", as_user="admin"))["items"]
    seen = sorted(
        (r["username"], r["target"], r["detail"]) for r in reads if r["target"] != "audit"
    )
    assert seen == [
        ("finance", "arrears", "3 rows"),
        ("finance", "bills", "3 rows"),  # bill_id() lists them
        ("service", f"bill:{home_bill}", ""),
    ]
