"""Paying through Alipay end to end, with keys made here and no network: the intent's pay URL
is a page-pay request signed with the app's key, and Alipay's signed notification pays the
bill."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from adapters.payments.alipay import request_content
from hub.context import HubContext
from tests.adapters.payment_keys import new_key
from tests.adapters.test_payments_alipay import form, params
from tests.api.test_billing_api import bill_id, october, ok, status_of  # noqa: F401 (fixture)
from tests.conftest import ApiClient
from tests.support.payments import home_payments, start

pytestmark = pytest.mark.usefixtures("october")
APP_ID = "2021000000000001"
HUB_URL = "https://hub.example.cn"


def _pem(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture
def keys(
    context: HubContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, rsa.RSAPrivateKey]:
    """HUB_PAYMENT_PROVIDER=alipay with an app key and an "Alipay" key pair made here."""
    app_key, alipay_key = new_key(), new_key()
    private_pem = app_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = alipay_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    settings = context.settings
    monkeypatch.setattr(settings, "payment_provider", "alipay")
    monkeypatch.setattr(settings, "payment_alipay_app_id", APP_ID)
    monkeypatch.setattr(settings, "payment_notify_url", HUB_URL)
    monkeypatch.setattr(
        settings, "payment_alipay_private_key_file", _pem(tmp_path / "app.pem", private_pem)
    )
    monkeypatch.setattr(
        settings, "payment_alipay_public_key_file", _pem(tmp_path / "alipay.pem", public_pem)
    )
    return {"app": app_key, "alipay": alipay_key}


def test_the_pay_url_is_a_signed_page_pay_request(
    api: ApiClient, keys: dict[str, rsa.RSAPrivateKey]
) -> None:
    intent = start(api, bill_id(api, "B1/101"))
    assert intent["provider"] == "alipay"
    url = urlparse(intent["pay_url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://openapi.alipay.com/gateway.do"
    sent = dict(parse_qsl(url.query))
    assert sent == intent["params"]
    assert (sent["method"], sent["app_id"], sent["sign_type"]) == (
        "alipay.trade.page.pay",
        APP_ID,
        "RSA2",
    )
    assert sent["timestamp"] == "2026-11-10 10:00:00"  # Beijing time
    assert sent["notify_url"] == f"{HUB_URL}/api/v1/payments/notify/alipay"
    biz = json.loads(sent["biz_content"])
    assert (biz["out_trade_no"], biz["total_amount"]) == (intent["out_trade_no"], "409.58")
    keys["app"].public_key().verify(  # raises if the signature is not the app key's
        base64.b64decode(sent["sign"]), request_content(sent), padding.PKCS1v15(), hashes.SHA256()
    )


def test_alipays_notification_pays_the_bill(
    api: ApiClient, keys: dict[str, rsa.RSAPrivateKey]
) -> None:
    mine = bill_id(api, "B1/101")
    intent = start(api, mine)
    notice = params(out_trade_no=intent["out_trade_no"], notify_time="2026-11-10 09:59:50")
    body = form(keys["alipay"], notice)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    forged = api.client.post(
        "/api/v1/payments/notify/alipay", content=form(new_key(), notice), headers=headers
    )
    assert (forged.status_code, forged.text) == (400, "failure")
    answer = api.client.post("/api/v1/payments/notify/alipay", content=body, headers=headers)
    assert (answer.status_code, answer.text) == (200, "success")
    paid = ok(api.get(f"/api/v1/bills/{mine}", as_user="owner101"))
    assert paid["status"] == "paid"
    (payment,) = home_payments(api, paid["home_id"])
    assert (payment["method"], payment["transaction_id"]) == ("alipay", notice["trade_no"])
    assert api.client.get(f"/api/v1/payments/sandbox/{intent['out_trade_no']}").status_code == 404


def test_missing_alipay_settings_are_named(
    api: ApiClient, context: HubContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(context.settings, "payment_provider", "alipay")
    refused = api.post(f"/api/v1/bills/{bill_id(api, 'B1/101')}/pay", as_user="owner101")
    assert status_of(refused) == 422
    detail = refused.json()["detail"]  # type: ignore[attr-defined]
    assert "HUB_PAYMENT_ALIPAY_APP_ID" in detail and "HUB_PAYMENT_NOTIFY_URL" in detail


def test_alipays_retry_of_an_applied_notification_is_answered_success(
    api: ApiClient, keys: dict[str, rsa.RSAPrivateKey]
) -> None:
    """Alipay resends until it reads "success", with the same notify_id and a new notify_time:
    a retry after a lost answer must not be taken for a replay."""
    mine = bill_id(api, "B1/101")
    intent = start(api, mine)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    for sent_at in ("2026-11-10 09:59:50", "2026-11-10 10:03:50"):
        notice = params(out_trade_no=intent["out_trade_no"], notify_time=sent_at)
        body = form(keys["alipay"], notice)
        answer = api.client.post("/api/v1/payments/notify/alipay", content=body, headers=headers)
        assert (answer.status_code, answer.text) == (200, "success"), sent_at
    bill = ok(api.get(f"/api/v1/bills/{mine}", as_user="owner101"))
    assert bill["status"] == "paid"
