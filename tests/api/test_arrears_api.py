"""欠费账龄 and reminders: unpaid bills by days since issue per building, and owners reminded at
30, 60 and 90 days in the app and by SMS, once per stage; paid bills are left alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import sqlalchemy as sa

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services.billing import run_billing
from hub.services.billing.arrears import remind
from hub.storage.models import Bill, OutboxMessage, SmsMessage
from tests.conftest import ApiClient
from tests.support.payments import counter_pay

AGING = "/api/v1/bills/arrears/aging"


def ok(response: object, status: int = 200) -> Any:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    return response.json()


def bill_months(context: HubContext) -> None:
    """August, September and October, each issued a few days after its month (no readings:
    property fees only, B1 523.75 a month, B2 190.63)."""
    with context.db.session() as s:
        for period, issued in (
            ("2026-08", datetime(2026, 9, 5, tzinfo=UTC)),
            ("2026-09", datetime(2026, 10, 5, tzinfo=UTC)),
            ("2026-10", context.clock.now()),
        ):
            run_billing(s, period=period, now=issued)


def test_aging_by_building_moves_with_time_and_payments(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    bill_months(context)
    aging = ok(api.get(AGING, as_user="finance"))
    assert aging["buckets"] == ["0-30", "31-90", "91-180", ">180"]
    b1, b2 = aging["rows"]
    assert (b1["building"], b1["amounts"], b1["counts"]) == (
        "1号楼 Building 1",
        ["523.75", "1047.50", "0.00", "0.00"],  # October; August (66 days) and September (36)
        [2, 4, 0, 0],
    )
    assert (b2["amounts"], b2["total"]) == (["190.63", "381.26", "0.00", "0.00"], "571.89")
    assert aging["total"]["total"] == "2143.14"

    bills = ok(api.get("/api/v1/bills", as_user="finance", params={"period": "2026-10"}))
    october_102 = next(b["id"] for b in bills if b["home"] == "B1/102")
    cash = {"method": "cash", "amount": "400.00", "receipt_no": "R-9"}
    ok(counter_pay(api, october_102, cash), 201)  # August's 300.00, then 100.00 of September's
    clock.advance(timedelta(days=120))
    b1, _ = ok(api.get(AGING, as_user="admin"))["rows"]
    # 91-180: September (223.75 and the 200.00 left of 300.00) and October; >180: 101's August
    assert (b1["amounts"], b1["counts"]) == (["0.00", "0.00", "947.50", "223.75"], [0, 0, 4, 1])


def test_other_roles_are_refused(api: ApiClient) -> None:
    for role in ("owner101", "operator", "service", "tech", "guard"):
        response = api.get(AGING, as_user=role)
        assert isinstance(response, httpx2.Response) and response.status_code == 403, role


def reminders(context: HubContext) -> list[tuple[str, str]]:
    with context.db.session() as s:
        rows = s.execute(
            sa.select(OutboxMessage.title, SmsMessage.phone)
            .outerjoin(SmsMessage, SmsMessage.outbox_id == OutboxMessage.id)
            .where(OutboxMessage.source == "arrears")
            .order_by(OutboxMessage.id)
        ).all()
    return [(title, "sms" if phone else "inbox") for title, phone in rows]


def test_owners_are_reminded_once_per_stage_and_paid_bills_never(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    with context.db.session() as s:
        run_billing(s, period="2026-10", now=clock.now())
        paid = s.scalars(sa.select(Bill).order_by(Bill.id)).first()
        assert paid is not None
        paid_home = paid.home_id
    bills = ok(api.get("/api/v1/bills", as_user="finance"))
    first = next(b for b in bills if b["home_id"] == paid_home)
    cash = {"method": "cash", "amount": first["total"], "receipt_no": "R-1"}
    ok(counter_pay(api, first["id"], cash), 201)

    clock.advance(timedelta(days=29))
    with context.db.session() as s:
        assert remind(s, now=clock.now()).bills == 0  # still within the payment term
    clock.advance(timedelta(days=1))
    with context.db.session() as s:
        assert remind(s, now=clock.now()).bills == 2  # B1/102 and B2/201, each owner twice
    with context.db.session() as s:
        assert remind(s, now=clock.now()).bills == 0  # a stage is sent once
    sent = reminders(context)
    assert sent == [
        ("缴费提醒 Payment reminder B1/102 2026-10 ¥300.00", "inbox"),
        ("缴费短信 Payment SMS B1/102 2026-10", "sms"),
        ("缴费提醒 Payment reminder B2/201 2026-10 ¥190.63", "inbox"),
        ("缴费短信 Payment SMS B2/201 2026-10", "sms"),
    ]
    clock.advance(timedelta(days=90))  # 120 days: only the last stage is sent, once
    with context.db.session() as s:
        assert remind(s, now=clock.now()).bills == 2
    assert len(reminders(context)) == 8
    with context.db.session() as s:
        last = s.scalars(
            sa.select(OutboxMessage.body)
            .where(OutboxMessage.source == "arrears", OutboxMessage.body != "")
            .order_by(OutboxMessage.id.desc())
        ).first()
    assert last is not None and "A written demand follows if it stays unpaid" in last
    assert "/m/owner/bills/" in last
