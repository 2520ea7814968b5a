"""A home's account over the API: finance previews and records a counter payment of any
amount, prepays, refunds and takes deposits; admin reads; an owner reads their own home's
balance and movements, and another owner's home is not found. B1/101 pays 223.75 a month
(August to October, property fee only)."""

from __future__ import annotations

from typing import Any

import pytest

from hub.context import HubContext
from tests.api.test_arrears_api import bill_months, ok
from tests.api.test_bill_documents import pdf_text
from tests.conftest import ApiClient

pytestmark = pytest.mark.usefixtures("site")


def homes(api: ApiClient) -> dict[str, int]:
    return {b["home"]: b["home_id"] for b in ok(api.get("/api/v1/bills", as_user="finance"))}


@pytest.fixture
def home(api: ApiClient, context: HubContext) -> int:
    """B1/101, with its three bills."""
    bill_months(context)
    return homes(api)["B1/101"]


def cash(amount: str, receipt: str) -> dict[str, str]:
    return {"method": "cash", "amount": amount, "receipt_no": receipt}


def test_finance_sees_the_allocation_then_records_it(api: ApiClient, home: int) -> None:
    preview = ok(
        api.get(f"/api/v1/homes/{home}/allocation", as_user="admin", params={"amount": "500"})
    )
    assert [(s["period"], s["amount"], s["outstanding_after"]) for s in preview["shares"]] == [
        ("2026-08", "223.75", "0.00"),
        ("2026-09", "223.75", "0.00"),
        ("2026-10", "52.50", "171.25"),
    ]
    assert preview["to_balance"] == "0.00"
    done = ok(
        api.post(f"/api/v1/homes/{home}/payments", as_user="finance", json=cash("700", "SJ-1")), 201
    )
    assert [s["period"] for s in done["shares"]] == ["2026-08", "2026-09", "2026-10"]
    assert (done["to_balance"], done["balance"]) == ("28.75", "28.75")
    bills = {b["period"]: b for b in ok(api.get("/api/v1/bills", as_user="owner101"))}
    assert {p: (b["status"], b["outstanding"]) for p, b in bills.items()} == {
        "2026-08": ("paid", "0.00"),
        "2026-09": ("paid", "0.00"),
        "2026-10": ("paid", "0.00"),
    }
    receipt = pdf_text(
        api.get(f"/api/v1/payments/{done['payment']['id']}/receipt.pdf", as_user="owner101").content
    )
    assert "电子收据 Receipt SJ-1" in receipt and "2026-09" in receipt
    assert "存入预缴余额 To the prepaid balance ¥28.75" in receipt


def test_prepay_refund_and_deposits(api: ApiClient, home: int) -> None:
    paid = ok(
        api.post(f"/api/v1/homes/{home}/payments", as_user="finance", json=cash("671.25", "SJ-1")),
        201,
    )
    ok(
        api.post(f"/api/v1/homes/{home}/prepayments", as_user="finance", json=cash("100", "SJ-2")),
        201,
    )
    refunds = f"/api/v1/homes/{home}/refunds"
    too_much = {"source": "balance", "amount": "100.01", "reason": "退房 Moving out"}
    assert ok(api.post(refunds, as_user="finance", json=too_much), 409)["code"] == "refund_too_much"
    ok(api.post(refunds, as_user="finance", json=too_much | {"amount": "40"}), 201)
    of_payment = {"source": "payment", "payment_id": paid["payment"]["id"], "amount": "223.75"}
    refund = ok(
        api.post(refunds, as_user="finance", json=of_payment | {"reason": "多缴 Overpaid"}), 201
    )
    assert refund["number"].startswith("TK202611-") and refund["source"] == "payment"
    bills = {
        b["period"]: b["status"]
        for b in ok(api.get("/api/v1/bills", as_user="finance"))
        if b["home_id"] == home
    }
    assert bills["2026-10"] == "unpaid" and bills["2026-09"] == "paid"
    deposit = {"purpose": "装修押金 Renovation deposit", "method": "bank_transfer"}
    deposit |= {"amount": "2000", "receipt_no": "YJ-1", "reference": "ICBC-1"}
    made = ok(api.post(f"/api/v1/homes/{home}/deposits", as_user="finance", json=deposit), 201)
    back = {"amount": "1800", "deducted": "200", "reason": "地砖损坏 Broken tiles"}
    ok(api.post(f"/api/v1/deposits/{made['id']}/refunds", as_user="finance", json=back), 201)
    again = {"amount": "0.01", "reason": "x"}
    ok(api.post(f"/api/v1/deposits/{made['id']}/refunds", as_user="finance", json=again), 409)
    (listed,) = ok(api.get("/api/v1/deposits", as_user="admin"))
    assert (listed["home"], listed["amount"], listed["held"]) == ("B1/101", "2000.00", "0.00")
    account = ok(api.get(f"/api/v1/homes/{home}/account", as_user="owner101"))
    assert account["balance"] == "60.00" and account["outstanding"] == "223.75"
    assert [(m["cause"], m["amount"]) for m in account["movements"]] == [
        ("prepayment", "100.00"),
        ("refund", "-40.00"),
    ]
    assert [r["source"] for r in account["refunds"]] == ["balance", "payment", "deposit"]
    assert account["deposits"][0]["held"] == "0.00"


def test_wrong_roles_and_another_owner_are_refused(api: ApiClient, home: int) -> None:
    paid = ok(
        api.post(f"/api/v1/homes/{home}/payments", as_user="finance", json=cash("1", "SJ-1")), 201
    )
    deposit = {"purpose": "装修押金", "method": "cash", "amount": "10", "receipt_no": "YJ-1"}
    made = ok(api.post(f"/api/v1/homes/{home}/deposits", as_user="finance", json=deposit), 201)
    writes: list[tuple[str, dict[str, Any]]] = [
        (f"/api/v1/homes/{home}/payments", cash("1", "SJ-9")),
        (f"/api/v1/homes/{home}/prepayments", cash("1", "SJ-9")),
        (f"/api/v1/homes/{home}/refunds", {"source": "balance", "amount": "1", "reason": "x"}),
        (f"/api/v1/homes/{home}/deposits", deposit | {"receipt_no": "YJ-9"}),
        (f"/api/v1/deposits/{made['id']}/refunds", {"amount": "1", "reason": "x"}),
    ]
    for user in ("owner101", "admin", "service", "guard", "operator"):
        for path, body in writes:
            ok(api.post(path, as_user=user, json=body), 403)
    ok(api.get(f"/api/v1/homes/{home}/account", as_user="admin"))
    ok(api.get(f"/api/v1/homes/{home}/account", as_user="service"), 403)
    ok(api.get("/api/v1/deposits", as_user="owner101"), 403)
    assert (
        ok(api.get(f"/api/v1/homes/{home}/account", as_user="owner102"), 404)["code"] == "not_found"
    )
    receipt = f"/api/v1/payments/{paid['payment']['id']}/receipt.pdf"
    assert api.get(receipt, as_user="owner102").status_code == 404
    elsewhere = homes(api)["B1/102"]
    of_another_home = {"source": "payment", "payment_id": paid["payment"]["id"], "amount": "1"}
    of_another_home["reason"] = "x"
    ok(api.post(f"/api/v1/homes/{elsewhere}/refunds", as_user="finance", json=of_another_home), 404)
