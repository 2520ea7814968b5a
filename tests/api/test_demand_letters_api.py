"""催缴函: once a bill is past every reminder, finance issues a written demand for all of the
home's unpaid bills, numbered, with a 15-day term; not again while that term runs; the owners
are told and read it, another owner cannot."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from hub.clock import FakeClock
from hub.context import HubContext
from hub.storage.models import AuditEntry, OutboxMessage
from tests.api.test_arrears_api import bill_months, ok
from tests.api.test_bill_documents import answer, pdf_text
from tests.conftest import ApiClient

LETTERS = "/api/v1/bills/arrears/demand-letters"


def unpaid_of(api: ApiClient, home: str) -> list[dict[str, str]]:
    bills = ok(api.get("/api/v1/bills/arrears", as_user="finance"))
    return [bill for bill in bills if bill["home"] == home]


def test_a_letter_follows_the_reminders_and_names_every_unpaid_bill(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    bill_months(context)  # August's bill is 66 days old
    b1_101 = unpaid_of(api, "B1/101")
    home_id = b1_101[0]["home_id"]
    early = api.post(LETTERS, as_user="finance", json={"home_id": home_id})
    assert ok(early, 409)["code"] == "demand_not_due"

    clock.advance(timedelta(days=24))  # 90 days: the last reminder stage has passed
    letter = ok(api.post(LETTERS, as_user="finance", json={"home_id": home_id}), 201)
    expected = sum(Decimal(bill["amount"]) for bill in b1_101)
    assert letter["total"] == f"{expected:.2f}" and letter["home"] == "B1/101"
    assert [b["period"] for b in letter["bills"]] == ["2026-08", "2026-09", "2026-10"]
    assert letter["number"].startswith("CJ") and letter["pay_by"]
    again = api.post(LETTERS, as_user="finance", json={"home_id": home_id})
    assert ok(again, 409)["code"] == "demand_letter_pending"

    pdf = answer(api.get(f"{LETTERS}/{letter['id']}/pdf", as_user="owner101"))
    text = pdf_text(pdf.content)
    assert "催缴函 Demand for payment" in text and letter["number"] in text
    assert f"合计 Total ¥{letter['total']}" in text and "第九百四十四条" in text
    answer(api.get(f"{LETTERS}/{letter['id']}/pdf", as_user="owner201"), 404)
    with context.db.session() as s:
        told = s.scalars(
            sa.select(OutboxMessage.title).where(OutboxMessage.title.like("催缴函%"))
        ).all()
        audited = s.scalars(
            sa.select(AuditEntry.detail).where(AuditEntry.action == "issue_demand_letter")
        ).all()
    assert told == [f"催缴函 Demand for payment {letter['number']} B1/101 ¥{letter['total']}"]
    assert audited == [f"{letter['number']} ¥{letter['total']}"]
    assert [found["id"] for found in ok(api.get(LETTERS, as_user="finance"))] == [letter["id"]]

    clock.advance(timedelta(days=16))  # the term ran out unpaid: a second letter may follow
    ok(api.post(LETTERS, as_user="finance", json={"home_id": home_id}), 201)


def test_only_finance_issues_and_lists_letters(api: ApiClient, context: HubContext) -> None:
    bill_months(context)
    home_id = unpaid_of(api, "B1/101")[0]["home_id"]
    for role in ("owner101", "operator", "service", "tech", "guard"):
        refused = api.post(LETTERS, as_user=role, json={"home_id": home_id})
        assert ok(refused, 403)["code"], role
        assert ok(api.get(LETTERS, as_user=role), 403)["code"], role
    assert ok(api.post(LETTERS, as_user="finance", json={"home_id": 999999}), 404)
