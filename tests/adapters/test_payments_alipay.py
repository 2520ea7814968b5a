"""Alipay asynchronous notifications built the documented way (a form, RSA2 over the sorted
parameters without sign and sign_type), with keys made here."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.payments.alipay import AlipayVerifier, signed_content
from adapters.payments.base import NotificationRejected
from tests.adapters.payment_keys import new_key, sign_sha256_rsa

NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
APP_ID = "2021000000000001"


@pytest.fixture(scope="module")
def alipay_key() -> rsa.RSAPrivateKey:
    return new_key()


def params(**changes: str) -> dict[str, str]:
    data = {
        "notify_time": "2026-11-10 09:59:40",
        "notify_type": "trade_status_sync",
        "notify_id": "ac05099524730693a8b330c5ecf72da9786",
        "app_id": APP_ID,
        "charset": "utf-8",
        "version": "1.0",
        "trade_no": "2026111022001456781234567890",
        "out_trade_no": "EH20261110000001ABCDEF012345",
        "trade_status": "TRADE_SUCCESS",
        "total_amount": "409.58",
        "receipt_amount": "409.58",
        "subject": "物业账单 2026-10 B1/101 & water",  # "&" and "=" only ever appear encoded
        "gmt_payment": "2026-11-10 09:59:38",
    }
    return data | changes


def form(key: rsa.RSAPrivateKey, data: dict[str, str]) -> bytes:
    """What Alipay posts: the parameters plus sign_type and sign, urlencoded."""
    signed = data | {"sign_type": "RSA2"}
    return urlencode(signed | {"sign": sign_sha256_rsa(key, signed_content(signed))}).encode()


def verifier(key: rsa.RSAPrivateKey) -> AlipayVerifier:
    return AlipayVerifier(key.public_key(), app_id=APP_ID)


def test_the_signed_content_is_sorted_without_sign_and_sign_type() -> None:
    content = signed_content({"b": "2", "sign": "x", "a": "1", "sign_type": "RSA2", "c": ""})
    assert content == b"a=1&b=2&c="


def test_a_documented_notification_is_verified(alipay_key: rsa.RSAPrivateKey) -> None:
    verified = verifier(alipay_key).verify_notification({}, form(alipay_key, params()), now=NOW)
    assert verified.out_trade_no == "EH20261110000001ABCDEF012345"
    assert verified.transaction_id == "2026111022001456781234567890"
    assert verified.amount == Decimal("409.58")
    assert verified.paid_at == datetime(2026, 11, 10, 1, 59, 38, tzinfo=UTC)
    assert verified.nonce == "ac05099524730693a8b330c5ecf72da9786"


def test_trade_finished_counts_as_paid(alipay_key: rsa.RSAPrivateKey) -> None:
    body = form(alipay_key, params(trade_status="TRADE_FINISHED"))
    assert verifier(alipay_key).verify_notification({}, body, now=NOW).amount == Decimal("409.58")


def test_a_tampered_amount_is_refused(alipay_key: rsa.RSAPrivateKey) -> None:
    body = form(alipay_key, params()).replace(b"total_amount=409.58", b"total_amount=0.01")
    with pytest.raises(NotificationRejected, match="signature"):
        verifier(alipay_key).verify_notification({}, body, now=NOW)


def test_another_keys_signature_is_refused(alipay_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(NotificationRejected, match="signature"):
        verifier(alipay_key).verify_notification({}, form(new_key(), params()), now=NOW)


def test_a_stale_notification_is_refused(alipay_key: rsa.RSAPrivateKey) -> None:
    body = form(alipay_key, params(notify_time="2026-11-10 09:50:00"))
    with pytest.raises(NotificationRejected, match="outside 300 s"):
        verifier(alipay_key).verify_notification({}, body, now=NOW)


def test_a_waiting_trade_is_refused(alipay_key: rsa.RSAPrivateKey) -> None:
    body = form(alipay_key, params(trade_status="WAIT_BUYER_PAY"))
    with pytest.raises(NotificationRejected, match="WAIT_BUYER_PAY"):
        verifier(alipay_key).verify_notification({}, body, now=NOW)


def test_another_apps_notification_is_refused(alipay_key: rsa.RSAPrivateKey) -> None:
    body = form(alipay_key, params(app_id="2021999999999999"))
    with pytest.raises(NotificationRejected, match="app_id"):
        verifier(alipay_key).verify_notification({}, body, now=NOW)


def test_rsa1_is_refused(alipay_key: rsa.RSAPrivateKey) -> None:
    body = form(alipay_key, params()).replace(b"sign_type=RSA2", b"sign_type=RSA")
    with pytest.raises(NotificationRejected, match="not RSA2"):
        verifier(alipay_key).verify_notification({}, body, now=NOW)
