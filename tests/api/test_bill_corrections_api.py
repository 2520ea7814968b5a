"""Credit notes, re-bills and reading corrections through the API: finance credits and re-bills,
finance and technicians correct readings, owners read only their own bills' credit notes."""

from __future__ import annotations

from typing import Any

from hub.context import HubContext
from tests.api.test_bill_documents import pdf_text
from tests.api.test_billing_api import bill_id, ok, status_of
from tests.api.test_billing_api import october as october  # the fixture
from tests.conftest import ApiClient

NOTES = "/api/v1/credit-notes"


def electricity_line(bill: dict[str, Any]) -> dict[str, Any]:
    return next(line for line in bill["lines"] if line["utility"] == "electricity")


def test_finance_corrects_a_reading_credits_and_re_bills(
    api: ApiClient, context: HubContext, october: dict[str, Any]
) -> None:
    original_id = bill_id(api, "B1/101")
    original = ok(api.get(f"/api/v1/bills/{original_id}", as_user="finance"))
    line = electricity_line(original)
    meter_id, end = line["meter_id"], line["end_reading"]["id"]
    readings = ok(api.get(f"/api/v1/meters/{meter_id}/readings?period=2026-10", as_user="tech"))
    assert [(r["id"], r["value"], r["corrected"]) for r in readings][-1] == (end, "1250", None)
    corrected = ok(
        api.post(
            f"/api/v1/meters/{meter_id}/readings/{end}/corrections",
            as_user="tech",
            json={"value": "1200", "reason": "照片读数 photo of the register"},
        ),
        201,
    )
    assert (corrected["original"], corrected["value"]) == ("1250", "1200")
    listed = ok(api.get(f"/api/v1/meters/{meter_id}/corrections", as_user="finance"))
    assert [c["id"] for c in listed] == [corrected["id"]]
    assert ok(api.get(f"/api/v1/bills/{original_id}", as_user="finance"))["total"] == "409.58"

    note = ok(
        api.post(
            f"/api/v1/bills/{original_id}/credit-note",
            as_user="finance",
            json={"reason": "读数抄错 misread register"},
        ),
        201,
    )
    assert note["number"] == "CN-2026-000001" and note["rebill_id"] is None
    assert note["amount"] == "409.58"
    new = ok(api.post(f"/api/v1/bills/{original_id}/rebill", as_user="finance"), 201)["bill"]
    assert (new["replaces_id"], new["revision"], new["total"]) == (original_id, 2, "380.66")
    assert electricity_line(new)["end_reading"] == {
        "id": end,
        "value": "1200",
        "ts": "2026-10-31T15:59:00Z",
        "original": "1250",
    }

    # the owner sees both, linked; the credited one owes nothing and leaves arrears
    mine = ok(api.get("/api/v1/bills", as_user="owner101"))
    by_id = {b["id"]: b for b in mine}
    assert by_id[original_id]["status"] == "credited"
    assert by_id[original_id]["replaced_by_id"] == new["id"]
    assert by_id[original_id]["credit_note"]["number"] == "CN-2026-000001"
    assert by_id[new["id"]]["replaces_id"] == original_id
    notes = ok(api.get(NOTES, as_user="owner101"))
    assert [(n["number"], n["rebill_id"]) for n in notes] == [("CN-2026-000001", new["id"])]
    arrears = ok(api.get("/api/v1/bills/arrears", as_user="finance"))
    assert original_id not in [b["id"] for b in arrears] and new["id"] in [b["id"] for b in arrears]
    pay = api.post(f"/api/v1/bills/{original_id}/pay", as_user="owner101")
    assert status_of(pay) == 409

    pdf = api.get(f"/api/v1/bills/{original_id}/pdf", as_user="owner101")
    assert status_of(pdf) == 200
    text = " ".join(pdf_text(pdf.content).split())  # as read, not as the lines wrap
    assert "已冲销 Credited CN-2026-000001" in text
    assert f"Re-billed as bill No. {new['id']}" in text


def test_a_paid_bill_credited_leaves_its_money_in_the_balance(
    api: ApiClient, october: dict[str, Any]
) -> None:
    paid = bill_id(api, "B1/102")
    bill = ok(api.get(f"/api/v1/bills/{paid}", as_user="finance"))
    ok(
        api.post(
            f"/api/v1/homes/{bill['home_id']}/payments",
            as_user="finance",
            json={"method": "cash", "amount": bill["total"], "receipt_no": "R-9"},
        ),
        201,
    )
    ok(api.post(f"/api/v1/bills/{paid}/credit-note", as_user="finance", json={"reason": "x"}), 201)
    credited = ok(api.get(f"/api/v1/bills/{paid}", as_user="finance"))
    assert (credited["status"], credited["paid"]) == ("credited", "0.00")
    account = ok(api.get(f"/api/v1/homes/{bill['home_id']}/account", as_user="finance"))
    assert account["balance"] == bill["total"]
    assert [m["cause"] for m in account["movements"]] == ["credited"]


def test_wrong_roles_and_other_owners_are_refused(api: ApiClient, october: dict[str, Any]) -> None:
    bill = bill_id(api, "B1/101")
    for user in ("owner101", "tech", "operator", "service"):
        credit = api.post(f"/api/v1/bills/{bill}/credit-note", as_user=user, json={"reason": "x"})
        assert status_of(credit) == 403, user
    credit_url = f"/api/v1/bills/{bill}/credit-note"
    note = ok(api.post(credit_url, as_user="finance", json={"reason": "x"}), 201)
    assert status_of(api.post(f"/api/v1/bills/{bill}/rebill", as_user="tech")) == 403
    assert status_of(api.get(f"{NOTES}/{note['id']}", as_user="owner102")) == 404
    assert ok(api.get(NOTES, as_user="owner102")) == []
    assert ok(api.get(f"{NOTES}/{note['id']}", as_user="owner101"))["bill_id"] == bill
    line = electricity_line(ok(api.get(f"/api/v1/bills/{bill}", as_user="finance")))
    url = f"/api/v1/meters/{line['meter_id']}/readings/{line['end_reading']['id']}/corrections"
    for user in ("owner101", "operator"):
        assert status_of(api.post(url, as_user=user, json={"value": "1", "reason": "x"})) == 403
    unknown = line["start_reading"]["id"] + 10**6
    elsewhere = f"/api/v1/meters/{line['meter_id']}/readings/{unknown}/corrections"
    assert status_of(api.post(elsewhere, as_user="tech", json={"value": "1", "reason": "x"})) == 404
