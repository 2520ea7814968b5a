"""Owners pay through a provider: a payment intent, then the provider's signed notification is
what pays the bill. Notifications are verified, matched, idempotent and all recorded; replays
and tampering are refused. Finance records cash and bank transfers at the counter (any amount:
tests/api/test_home_accounts_api.py has the allocation)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx2
import pytest
import sqlalchemy as sa

from adapters.payments.sandbox import SandboxProvider
from hub.clock import FakeClock
from hub.context import HubContext
from hub.services.payment_providers import SANDBOX_PAY_PATH
from hub.services.site import LoadResult
from hub.storage.models import AuditEntry, Payment, PaymentNotification
from tests.api.test_billing_api import bill_id, october, ok, status_of  # noqa: F401 (fixture)
from tests.conftest import ApiClient
from tests.support.payments import (
    NOTIFY,
    counter_pay,
    home_payments,
    notify,
    sandbox_notification,
    start,
)
from tests.support.server import serving

pytestmark = pytest.mark.usefixtures("october")


def bill(api: ApiClient, bill: int, as_user: str = "owner101") -> dict[str, Any]:
    return dict(ok(api.get(f"/api/v1/bills/{bill}", as_user=as_user)))


def notifications(context: HubContext) -> list[tuple[str, bool, str]]:
    with context.db.session() as session:
        rows = session.scalars(sa.select(PaymentNotification).order_by(PaymentNotification.id))
        return [(row.outcome.value, row.verified, row.reason) for row in rows]


def audit_of(context: HubContext, action: str) -> list[tuple[int | None, str, str]]:
    with context.db.session() as session:
        rows = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action))
        return [(row.user_id, row.target, row.detail) for row in rows]


def signed(context: HubContext, body: dict[str, Any], nonce: str) -> tuple[dict[str, str], bytes]:
    """A notification properly signed with the sandbox key: what only the sandbox can make."""
    raw = json.dumps(body).encode()
    timestamp = str(int(context.clock.now().timestamp()))
    key = context.settings.secret("payment_sandbox_key").encode()
    message = f"{timestamp}\n{nonce}\n".encode() + raw + b"\n"
    signature = hmac.new(key, message, hashlib.sha256).hexdigest()
    headers = {
        "Sandbox-Timestamp": timestamp,
        "Sandbox-Nonce": nonce,
        "Sandbox-Signature": signature,
    }
    return headers, raw


def test_starting_to_pay_is_not_paying(api: ApiClient, context: HubContext) -> None:
    mine = bill_id(api, "B1/101")
    intent = start(api, mine)
    assert intent["provider"] == "sandbox" and intent["amount"] == "409.58"
    assert intent["status"] == "pending" and intent["bill_id"] == mine
    assert intent["pay_url"] == f"{SANDBOX_PAY_PATH}/{intent['out_trade_no']}"
    assert start(api, mine)["out_trade_no"] == intent["out_trade_no"]  # the open intent again
    assert bill(api, mine)["status"] == "unpaid" and bill(api, mine)["allocations"] == []
    [(_, target, detail)] = audit_of(context, "payment_start")
    assert target == f"bill:{mine}" and intent["out_trade_no"] in detail


def test_the_signed_notification_pays_the_bill_once(api: ApiClient, context: HubContext) -> None:
    mine = bill_id(api, "B1/101")
    intent = start(api, mine)
    headers, body = sandbox_notification(context, intent)
    first = notify(api, headers, body)
    assert first.status_code == 200 and first.json()["code"] == "SUCCESS"
    again = notify(api, headers, body)  # providers redeliver until they see success
    assert again.status_code == 200 and again.json()["code"] == "SUCCESS"
    resent = notify(api, *sandbox_notification(context, intent))  # same transaction, new nonce
    assert resent.status_code == 200 and resent.json()["code"] == "SUCCESS"
    paid = bill(api, mine)
    assert paid["status"] == "paid" and paid["paid"] == "409.58"
    (payment,) = home_payments(api, paid["home_id"])
    assert payment["transaction_id"] == json.loads(body)["transaction_id"]
    with context.db.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1
    assert [(o, v) for o, v, _ in notifications(context)] == [
        ("paid", True),
        ("duplicate", True),
        ("duplicate", True),
    ]
    [(user_id, target, detail)] = audit_of(context, "pay")
    assert user_id is None and target == f"bill:{mine}" and "sandbox 409.58" in detail
    arrears = ok(api.get("/api/v1/bills/arrears", as_user="finance"))
    assert [a["home"] for a in arrears] == ["B1/102", "B2/201"]


def test_forged_tampered_stale_and_replayed_notifications_are_refused(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    mine = bill_id(api, "B1/101")
    intent = start(api, mine)
    trade = intent["out_trade_no"]
    headers, body = sandbox_notification(context, intent)
    tampered = body.replace(b'"amount":"409.58"', b'"amount":"0.01"')
    assert notify(api, headers, tampered).status_code == 400
    forged = SandboxProvider("not-the-hubs-key", pay_path="/x")
    assert notify(api, *forged.sign(trade, Decimal("409.58"), now=clock.now())).status_code == 400
    cheap = {"out_trade_no": trade, "transaction_id": "SBX1", "trade_state": "SUCCESS"}
    cheap |= {"amount": "0.01", "paid_at": clock.now().isoformat()}
    assert notify(api, *signed(context, cheap, "n-cheap")).status_code == 400
    unknown = cheap | {"out_trade_no": "EH0000000000", "amount": "409.58"}
    assert notify(api, *signed(context, unknown, "n-unknown")).status_code == 400
    clock.advance(timedelta(minutes=6))
    assert notify(api, headers, body).status_code == 400  # stale now
    assert bill(api, mine)["status"] == "unpaid"
    clock.advance(timedelta(minutes=-6))
    assert notify(api, headers, body).status_code == 200
    replay = dict(json.loads(body)) | {"transaction_id": "SBX-OTHER"}
    reused = notify(api, *signed(context, replay, headers["Sandbox-Nonce"]))
    assert reused.status_code == 400 and "nonce" in reused.json()["message"]
    reasons = notifications(context)
    assert [o for o, _, _ in reasons] == [
        "refused",
        "refused",
        "refused",
        "refused",
        "refused",
        "paid",
        "refused",
    ]
    assert "signature" in reasons[0][2] and not reasons[0][1]
    assert "signature" in reasons[1][2]
    assert "does not match" in reasons[2][2] and reasons[2][1]
    assert "not a sandbox intent" in reasons[3][2]
    assert "outside 300 s" in reasons[4][2]
    assert "was used by another notification" in reasons[6][2]
    with context.db.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1


def test_a_notification_for_a_bill_paid_at_the_counter_meanwhile_goes_to_the_balance(
    api: ApiClient, context: HubContext
) -> None:
    mine = bill_id(api, "B1/101")
    headers, body = sandbox_notification(context, start(api, mine))
    cash = {"method": "cash", "amount": "409.58", "receipt_no": "R-0001"}
    ok(counter_pay(api, mine, cash), 201)
    assert notify(api, headers, body).status_code == 200  # the money arrived all the same
    paid = bill(api, mine)
    assert (paid["status"], paid["paid"], paid["outstanding"]) == ("paid", "409.58", "0.00")
    assert [share["method"] for share in paid["allocations"]] == ["cash"]
    home = ok(api.get(f"/api/v1/homes/{paid['home_id']}/account", as_user="owner101"))
    assert home["balance"] == "409.58"
    assert [(m["cause"], m["amount"]) for m in home["movements"]] == [("excess", "409.58")]


def test_finance_records_cash_and_bank_transfers(api: ApiClient, context: HubContext) -> None:
    b101, b102, b201 = (bill_id(api, home) for home in ("B1/101", "B1/102", "B2/201"))
    short = {"method": "cash", "amount": "400.00", "receipt_no": "R-0001"}
    online = {"method": "wechat", "amount": "409.58", "receipt_no": "R-0009"}
    assert status_of(counter_pay(api, b101, online)) == 422
    cash = ok(counter_pay(api, b101, short), 201)
    assert (cash["payment"]["method"], cash["payment"]["receipt_no"]) == ("cash", "R-0001")
    assert [(s["period"], s["amount"], s["outstanding_after"]) for s in cash["shares"]] == [
        ("2026-10", "400.00", "9.58")
    ]
    assert status_of(counter_pay(api, b101, short)) == 409  # the receipt is taken
    same_receipt = {"method": "cash", "amount": "309.38", "receipt_no": "R-0001"}
    assert status_of(counter_pay(api, b102, same_receipt)) == 409
    transfer = {"method": "bank_transfer", "amount": "195.91", "receipt_no": "R-0002"}
    transfer |= {"reference": "ICBC-20261110-778"}
    assert status_of(counter_pay(api, b201, transfer, as_user="admin")) == 403  # admin reads
    ok(counter_pay(api, b201, transfer), 201)
    partly = bill(api, b101)
    assert (partly["status"], partly["paid"], partly["outstanding"]) == (
        "partly_paid",
        "400.00",
        "9.58",
    )
    assert partly["allocations"][0]["receipt_no"] == "R-0001"
    assert bill(api, b201, "owner201")["status"] == "paid"
    details = [detail for _, _, detail in audit_of(context, "pay")]
    assert details == [
        "cash 400.00 receipt R-0001",
        "bank_transfer 195.91 receipt R-0002 ref ICBC-20261110-778",
    ]
    arrears = ok(api.get("/api/v1/bills/arrears", as_user="finance"))
    assert [(a["home"], a["amount"]) for a in arrears] == [("B1/101", "9.58"), ("B1/102", "309.38")]


def test_every_payment_route_refuses_the_wrong_people(api: ApiClient) -> None:
    mine = bill_id(api, "B1/101")
    cash = {"method": "cash", "amount": "409.58", "receipt_no": "R-1"}
    for user in ("owner101", "owner102", "guard", "service", "tech", "admin"):
        assert status_of(counter_pay(api, mine, cash, as_user=user)) == 403
    for user in ("guard", "finance", "admin", "operator"):  # only owners start paying
        assert status_of(api.post(f"/api/v1/bills/{mine}/pay", as_user=user)) == 403
    assert status_of(api.post(f"/api/v1/bills/{mine}/pay", as_user="owner102")) == 404
    assert status_of(api.client.post(f"/api/v1/bills/{mine}/pay")) == 401


def test_only_the_configured_provider_is_listened_to(api: ApiClient) -> None:
    assert api.client.post("/api/v1/payments/notify/wechat", content=b"{}").status_code == 404
    huge = api.client.post(NOTIFY, content=b"x" * (64 * 1024 + 1))
    assert huge.status_code == 413


def test_an_unfinished_provider_is_a_clear_error(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api.client.app.state.hub.settings, "payment_provider", "wechat")  # type: ignore[attr-defined]
    refused = api.post(f"/api/v1/bills/{bill_id(api, 'B1/101')}/pay", as_user="owner101")
    assert status_of(refused) == 422
    assert "cannot start payments" in refused.json()["detail"]  # type: ignore[attr-defined]


def test_the_sandbox_page_pays_by_a_signed_callback_over_http(
    context: HubContext, site: LoadResult, api: ApiClient
) -> None:
    """The real thing: the page's Pay button makes the sandbox post its notification to the
    hub over HTTP after answering; the bill turns paid only when that arrives."""
    mine = bill_id(api, "B1/101")
    with serving(context) as url, httpx2.Client(base_url=url) as http:
        remote = ApiClient(http, api.accounts, api.clock)  # type: ignore[arg-type]
        intent = start(remote, mine)
        page = http.get(intent["pay_url"])
        assert page.status_code == 200 and "¥409.58" in page.text and "付款 Pay" in page.text
        assert http.get(f"{SANDBOX_PAY_PATH}/EH0000000000").status_code == 404
        confirmed = http.post(intent["pay_url"] + "/confirm")
        assert confirmed.status_code == 200 and "付款已提交 Payment sent" in confirmed.text
        deadline = time.monotonic() + 10
        while bill(remote, mine)["status"] != "paid":
            assert time.monotonic() < deadline, "the sandbox's notification never arrived"
            time.sleep(0.05)
        assert http.get(intent["pay_url"]).status_code == 404  # nothing left to pay
    assert [(o, v) for o, v, _ in notifications(context)] == [("paid", True)]
