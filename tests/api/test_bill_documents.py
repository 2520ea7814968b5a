"""Bills and receipts as PDF: the owner's own and staff who read bills get them; another
owner's bill is not found; an unpaid bill has no receipt (409 bill_unpaid)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import httpx2
import sqlalchemy as sa
from pypdf import PdfReader

from hub.context import HubContext
from hub.domain import Utility
from hub.services.billing import run_billing
from hub.services.billing.documents import bill_pdf
from hub.services.billing.usage_chart import last_months, monthly_use, usage_png
from hub.storage.models import Bill
from tests.conftest import ApiClient
from tests.support.payments import counter_pay


def answer(response: object, status: int = 200) -> httpx2.Response:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    return response


def october_bills(api: ApiClient, context: HubContext) -> dict[str, Any]:
    with context.db.session() as s:
        run_billing(s, period="2026-10", now=context.clock.now())
    bills = answer(api.get("/api/v1/bills", as_user="finance")).json()
    return {bill["home"]: bill for bill in bills}


def pdf_text(pdf: bytes) -> str:
    """What a reader sees on the pages (pypdf follows the fonts' Unicode maps)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_owner_downloads_the_bill_and_after_paying_its_receipt(
    api: ApiClient, context: HubContext
) -> None:
    bill = october_bills(api, context)["B1/101"]
    response = answer(api.get(f"/api/v1/bills/{bill['id']}/pdf", as_user="owner101"))
    assert response.headers["content-type"] == "application/pdf"
    assert "bill-2026-10-" in response.headers["content-disposition"]
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert "物业账单 Bill 2026-10" in text and "B1/101" in text and "未缴 Unpaid" in text
    assert "物业费 Property fee 89.50 m2 × 1 月 month" in text
    assert f"合计 Total ¥{bill['total']}" in text

    unpaid = answer(api.get(f"/api/v1/bills/{bill['id']}/receipt.pdf", as_user="owner101"), 409)
    assert unpaid.json()["code"] == "bill_unpaid"
    cash = {"method": "cash", "amount": bill["total"], "receipt_no": "SJ-202610-7"}
    answer(counter_pay(api, bill["id"], cash), 201)
    receipt = answer(api.get(f"/api/v1/bills/{bill['id']}/receipt.pdf", as_user="owner101"))
    text = pdf_text(receipt.content)
    assert "电子收据 Receipt SJ-202610-7" in text
    assert f"¥{bill['total']}" in text and "现金 Cash" in text


def test_another_owner_and_other_roles_are_refused(api: ApiClient, context: HubContext) -> None:
    bill = october_bills(api, context)["B1/101"]
    for path in (f"/api/v1/bills/{bill['id']}/pdf", f"/api/v1/bills/{bill['id']}/receipt.pdf"):
        assert answer(api.get(path, as_user="owner102"), 404).json()["code"] == "not_found"
        answer(api.get(path, as_user="guard"), 403)
        answer(api.get(path, as_user="operator"), 403)
        answer(api.get(path, as_user="service"), 200 if path.endswith("/pdf") else 409)


def test_the_bill_draws_twelve_months_of_use(api: ApiClient, context: HubContext) -> None:
    october_bills(api, context)
    with context.db.session() as s:
        bill = s.scalars(sa.select(Bill).order_by(Bill.id)).first()
        assert bill is not None
        use = monthly_use(s, bill.home_id, last_months(bill.period))
        chart = usage_png(s, bill.home_id, bill.period)
        pdf = bill_pdf(s, bill)
    assert last_months("2026-10")[0] == "2025-11" and len(last_months("2026-10")) == 12
    assert use[Utility.ELECTRICITY] == {"2026-10": Decimal(0)}  # no readings: 0 this month
    assert chart.startswith(b"\x89PNG")
    assert b"/Subtype /Image" in pdf
