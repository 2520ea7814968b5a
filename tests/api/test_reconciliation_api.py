"""Daily reconciliation through the API: owners pay through the sandbox (its ledger and signed
notifications) or Alipay, finance at the counter; finance imports the day's statement, reviews
the differences, notes them and signs the day off; a signed-off day is locked."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import rsa
from openpyxl import load_workbook

from adapters.payments.sandbox_statement import write_statement
from adapters.payments.statement import RowKind, StatementRow
from hub.context import HubContext
from hub.services.payment_providers import sandbox
from hub.services.payments import pending_intent_or_raise
from hub.services.reconciliation.sandbox import settle
from hub.storage.models import AuditEntry, ProviderStatement
from tests.adapters.test_payments_alipay import form, params
from tests.api.test_alipay_api import keys  # noqa: F401 (fixture)
from tests.api.test_billing_api import bill_id, october, ok, status_of  # noqa: F401 (fixture)
from tests.conftest import ApiClient
from tests.support.payments import counter_pay, notify, start
from tests.support.statements import alipay_details, alipay_row, wechat_bill, wechat_row

pytestmark = pytest.mark.usefixtures("october")
BASE = "/api/v1/reconciliation"
DAY = "2026-11-10"  # the clock's day in Beijing (10:00)
SANDBOX_DAY = f"{BASE}/days/sandbox/{DAY}"


def sandbox_pay(api: ApiClient, context: HubContext, home: str, *, delivered: bool = True) -> str:
    """The owner pays on the sandbox's page: the sandbox takes the money and notifies the hub
    (unless the notification is lost). Returns the trade number."""
    owner = f"owner{home.split('/')[1]}"
    trade = str(start(api, bill_id(api, home), owner)["out_trade_no"])
    with context.db.session() as session:
        intent = pending_intent_or_raise(session, trade)
        headers, body = settle(session, sandbox(context.settings), intent, now=context.clock.now())
    if delivered:
        assert notify(api, headers, body).status_code == 200
    return trade


def upload(
    api: ApiClient, data: bytes, *, provider: str = "sandbox", day: str = DAY, user: str = "finance"
) -> Any:
    return api.post(
        f"{BASE}/statements",
        as_user=user,
        data={"provider": provider, "day": day},
        files={"file": (f"{provider}-{day}.csv", data, "text/csv")},
    )


def kinds(day: dict[str, Any]) -> list[tuple[str, str | None, str | None, str | None]]:
    return [(i["kind"], i["statement_amount"], i["our_amount"], i["bill"]) for i in day["items"]]


def sandbox_statement(api: ApiClient) -> bytes:
    response = api.get(f"{BASE}/sandbox-statement?day={DAY}", as_user="finance")
    assert status_of(response) == 200
    return bytes(response.content)


def test_a_clean_day_matches_signs_off_and_locks(api: ApiClient, context: HubContext) -> None:
    sandbox_pay(api, context, "B1/101")
    sandbox_pay(api, context, "B1/102")
    cash = {"method": "cash", "amount": "195.91", "receipt_no": "R-0001"}  # not the provider's
    ok(
        counter_pay(api, bill_id(api, "B2/201"), cash),
        201,
    )
    statement = sandbox_statement(api)
    assert statement.count(b"\r\n") == 5  # title, header, two payments, closing line

    first = ok(upload(api, statement))
    assert first["created"] is True
    day = first["day"]
    assert (day["state"], day["matched"], day["differences"], day["booked"]) == ("open", 2, 0, 2)
    assert day["booked_total"] == "718.96" and day["statement"]["rows"] == 2
    assert kinds(day) == [
        ("matched", "409.58", "409.58", "B1/101 2026-10"),
        ("matched", "309.38", "309.38", "B1/102 2026-10"),
    ]
    again = ok(upload(api, statement))  # the same file: nothing new
    assert again["created"] is False and again["day"]["matched"] == 2
    with context.db.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ProviderStatement)) == 1

    signed = ok(api.post(f"{SANDBOX_DAY}/sign-off", as_user="finance"))
    assert signed["state"] == "signed_off" and signed["signed_off_by"]
    assert signed["signed_off_at"].startswith("2026-11-10T02:00")
    other = statement.replace(b"# rows,2", b"# rows,1").split(b"\r\n")
    del other[3]
    locked = upload(api, b"\r\n".join(other))
    assert status_of(locked) == 409 and locked.json()["code"] == "reconciliation_day_locked"
    assert ok(upload(api, statement))["created"] is False  # the signed-off file itself: fine

    listed = ok(api.get(f"{BASE}/days?provider=sandbox&month=2026-11", as_user="admin"))
    assert listed["configured_provider"] == "sandbox"
    assert [(d["day"], d["state"]) for d in listed["days"][:2]] == [
        (DAY, "signed_off"),
        ("2026-11-09", "no_statement"),
    ]
    assert len(listed["days"]) == 10  # November up to today

    reason = {"reason": "银行回单到账晚一天 the bank's slip came a day late"}
    reopened = ok(api.post(f"{SANDBOX_DAY}/reopen", as_user="finance", json=reason))
    assert reopened["state"] == "open" and reopened["signed_off_by"] is None
    with context.db.session() as session:
        actions = session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.target == f"reconciliation:sandbox:{DAY}")
        )
        assert list(actions) == [
            "statement_import",
            "reconciliation_sign_off",
            "reconciliation_reopen",
        ]


def test_a_lost_notification_is_missing_on_our_side(api: ApiClient, context: HubContext) -> None:
    sandbox_pay(api, context, "B1/101")
    lost = sandbox_pay(api, context, "B1/102", delivered=False)
    day = ok(upload(api, sandbox_statement(api)))["day"]
    assert kinds(day) == [
        ("matched", "409.58", "409.58", "B1/101 2026-10"),
        ("missing_ours", "309.38", None, "B1/102 2026-10"),
    ]
    assert day["items"][1]["out_trade_no"] == lost and day["unnoted"] == 1
    refused = api.post(f"{SANDBOX_DAY}/sign-off", as_user="finance")
    assert status_of(refused) == 409 and refused.json()["code"] == "reconciliation_unnoted"
    note = {"key": day["items"][1]["key"], "text": "通知丢失 notification lost; provider asked"}
    ok(api.post(f"{SANDBOX_DAY}/notes", as_user="finance", json=note))
    ok(api.post(f"{SANDBOX_DAY}/sign-off", as_user="finance"))

    # the sandbox sends the notification again, later: the bill is paid, the signed day is not
    headers, body = sandbox(context.settings).sign(lost, Decimal("309.38"), now=context.clock.now())
    assert notify(api, headers, body).status_code == 200
    assert [i["kind"] for i in ok(api.get(SANDBOX_DAY, as_user="finance"))["items"]] == [
        "matched",
        "missing_ours",
    ]
    again = api.post(f"{SANDBOX_DAY}/sign-off", as_user="finance")
    assert (status_of(again), again.json()["code"]) == (409, "invalid_transition")
    reason = {"reason": "通知已补到 the notification came"}
    reopened = ok(api.post(f"{SANDBOX_DAY}/reopen", as_user="finance", json=reason))
    assert [i["kind"] for i in reopened["items"]] == ["matched", "matched"]


def _row(
    trade: str, tx: str, amount: str, kind: RowKind = RowKind.PAYMENT, refund_no: str = ""
) -> StatementRow:
    at = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
    return StatementRow(0, kind, tx, trade, Decimal(amount), at, refund_no)


def test_missing_duplicate_mismatched_and_refunded_rows_are_listed_and_noted(
    api: ApiClient, context: HubContext
) -> None:
    sandbox_pay(api, context, "B1/101")
    sandbox_pay(api, context, "B1/102")
    sandbox_pay(api, context, "B2/201")
    real = sandbox_statement(api).decode().split("\r\n")
    (tx1, trade1), (tx2, trade2) = ((r.split(",")[1], r.split(",")[2]) for r in real[2:4])
    rows = [
        _row(trade1, tx1, "409.58"),
        _row(trade1, tx1, "409.58"),  # listed twice
        _row(trade2, tx2, "309.00"),  # not what the owner paid
        _row("EH-UNKNOWN", "SBXNOTOURS", "88.00"),  # a payment we know nothing of
        _row(trade1, tx1, "9.58", RowKind.REFUND, "RF-1"),
    ]  # B2/201's payment is left out: missing at the provider
    day = ok(upload(api, write_statement(date(2026, 11, 10), rows)))["day"]
    assert kinds(day) == [
        ("matched", "409.58", "409.58", "B1/101 2026-10"),
        ("duplicate", "409.58", "409.58", "B1/101 2026-10"),
        ("amount_mismatch", "309.00", "309.38", "B1/102 2026-10"),
        ("missing_ours", "88.00", None, None),
        ("refund", "9.58", "409.58", "B1/101 2026-10"),
        ("missing_provider", None, "195.91", "B2/201 2026-10"),
    ]
    assert [i["line"] for i in day["items"]] == [3, 4, 5, 6, 7, None]
    assert day["unnoted"] == 5
    path = f"{SANDBOX_DAY}/notes"
    nowhere = api.post(path, as_user="finance", json={"key": "matched:x", "text": "?"})
    assert status_of(nowhere) == 404
    for item in day["items"][1:]:
        note = {"key": item["key"], "text": f"已核实 checked {item['kind']}"}
        day = ok(api.post(path, as_user="finance", json=note))
    assert (
        day["unnoted"] == 0 and day["items"][2]["note"]["text"] == "已核实 checked amount_mismatch"
    )
    signed = ok(api.post(f"{SANDBOX_DAY}/sign-off", as_user="finance"))
    assert kinds(signed) == kinds(day)  # frozen as it stood
    late = api.post(path, as_user="finance", json={"key": day["items"][1]["key"], "text": "x"})
    assert status_of(late) == 409

    csv = api.get(f"{SANDBOX_DAY}/report.csv", as_user="finance")
    text = csv.content.decode("utf-8-sig")
    assert "金额不符 Amount mismatch" in text and "已核实 checked refund" in text
    assert "signed_off" in text and "SBXNOTOURS" in text
    xlsx = api.get(f"{SANDBOX_DAY}/report.xlsx", as_user="admin")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["日结 Day close", "差异 Differences", "已匹配 Matched"]
    assert book["差异 Differences"].max_row == 6  # header + five differences


def test_alipays_gbk_statement_reconciles_alipay_payments(
    api: ApiClient,
    context: HubContext,
    keys: dict[str, rsa.RSAPrivateKey],  # noqa: F811
) -> None:
    paid = {}
    for n, home in enumerate(("B1/101", "B1/102", "B2/201")):
        owner = f"owner{home.split('/')[1]}"
        intent = start(api, bill_id(api, home), owner)
        tx = f"202611102200145678000{n}"
        notice = params(
            out_trade_no=intent["out_trade_no"],
            trade_no=tx,
            total_amount=intent["amount"],
            notify_id=f"n{n}",
            notify_time="2026-11-10 09:59:50",
        )
        answer = api.client.post(
            "/api/v1/payments/notify/alipay",
            content=form(keys["alipay"], notice),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert answer.text == "success"
        paid[home] = (intent["out_trade_no"], tx)
    (t1, x1), (t2, x2) = paid["B1/101"], paid["B1/102"]
    at = "2026-11-10 09:59:38"
    data = alipay_details(
        [
            alipay_row(at, x1, t1, "409.58"),
            alipay_row(at, x1, t1, "409.58"),
            alipay_row(at, x2, t2, "300.00"),
            alipay_row(at, "2026111022009999990000", "EH-LOST", "50.00"),
            alipay_row("2026-11-10 18:00:00", x1, t1, "-9.58", refund_no="RF20261110"),
        ]
    )
    day = ok(upload(api, data, provider="alipay"))["day"]
    assert kinds(day) == [
        ("matched", "409.58", "409.58", "B1/101 2026-10"),
        ("duplicate", "409.58", "409.58", "B1/101 2026-10"),
        ("amount_mismatch", "300.00", "309.38", "B1/102 2026-10"),
        ("missing_ours", "50.00", None, None),
        ("refund", "9.58", "409.58", "B1/101 2026-10"),
        ("missing_provider", None, "195.91", "B2/201 2026-10"),
    ]
    assert day["items"][4]["refund_no"] == "RF20261110"
    utf8 = upload(api, data.decode("gbk").encode(), provider="alipay")
    assert status_of(utf8) == 422 and utf8.json()["code"] == "statement_invalid"
    assert "line 1" in utf8.json()["detail"] and "gbk" in utf8.json()["detail"]
    yesterday = upload(api, data, provider="alipay", day="2026-11-09")
    assert "the file is the statement of 2026-11-10" in yesterday.json()["detail"]
    sandbox_only = api.get(f"{BASE}/sandbox-statement?day={DAY}", as_user="finance")
    assert status_of(sandbox_only) == 404  # Alipay is the provider here


def test_a_wechat_bill_is_checked_and_matched(api: ApiClient) -> None:
    tx = "4200001901202611100000000001"
    bill = wechat_bill([wechat_row("2026-11-10 09:00:00", tx, "EH1", "100.00")])
    day = ok(upload(api, bill, provider="wechat"))["day"]
    assert kinds(day) == [("missing_ours", "100.00", None, None)]  # the hub takes no WeChat Pay yet
    wrong_day = upload(api, bill, provider="wechat", day="2026-11-11")
    assert status_of(wrong_day) == 422
    assert (
        "line 2" in wrong_day.json()["detail"] and "not on 2026-11-11" in wrong_day.json()["detail"]
    )
    bad = wechat_bill([wechat_row("2026-11-10 09:00:00", tx, "EH1", "1OO.00")])
    refused = upload(api, bad, provider="wechat")
    assert (status_of(refused), refused.json()["code"]) == (422, "statement_invalid")
    assert refused.json()["detail"].startswith("line 2 (第 2 行): 订单金额 '1OO.00'")


def test_an_oversize_statement_is_refused(
    api: ApiClient, context: HubContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(context.settings, "statement_max_bytes", 1000)
    refused = upload(api, b"x" * 1001)
    assert (status_of(refused), refused.json()["code"]) == (413, "statement_too_large")


def test_only_finance_and_admins_reconcile(api: ApiClient) -> None:
    statement = sandbox_statement(api)
    for user in ("owner101", "guard", "service", "tech", "operator"):
        assert status_of(upload(api, statement, user=user)) == 403
        assert status_of(api.get(SANDBOX_DAY, as_user=user)) == 403
        assert status_of(api.post(f"{SANDBOX_DAY}/sign-off", as_user=user)) == 403
    assert status_of(api.client.get(SANDBOX_DAY)) == 401
    assert status_of(api.post(f"{SANDBOX_DAY}/sign-off", as_user="finance")) == 404  # no statement
