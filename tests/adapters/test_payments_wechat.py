"""WeChat Pay API v3 notifications built the documented way (RSA-signed headers, an
AEAD_AES_256_GCM resource), with keys made here: good ones pass, altered ones are refused."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters.payments.base import NotificationRejected
from adapters.payments.wechat import WeChatPayVerifier
from tests.adapters.payment_keys import new_key, sign_sha256_rsa

NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
API_V3_KEY = "0123456789abcdef0123456789ABCDEF"  # 32 characters, as the merchant sets it
SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"


@pytest.fixture(scope="module")
def platform_key() -> rsa.RSAPrivateKey:
    return new_key()


def transaction(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "mchid": "1230000109",
        "appid": "wxd678efh567hg6787",
        "out_trade_no": "EH20261110000001ABCDEF012345",
        "transaction_id": "4200000985202611101234567890",
        "trade_type": "NATIVE",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "success_time": "2026-11-10T09:59:30+08:00",
        "amount": {"total": 40958, "payer_total": 40958, "currency": "CNY"},
    }
    return data | changes


def notification(
    key: rsa.RSAPrivateKey,
    tx: dict[str, Any],
    *,
    at: datetime = NOW,
    nonce: str = "fdasflkja484w",
    api_v3_key: str = API_V3_KEY,
) -> tuple[dict[str, str], bytes]:
    """Headers and body as WeChat Pay sends them."""
    aead_nonce = "z5hUP4sA6vSr"
    ciphertext = AESGCM(api_v3_key.encode()).encrypt(
        aead_nonce.encode(), json.dumps(tx).encode(), b"transaction"
    )
    body = json.dumps(
        {
            "id": "EV-2018022511223320873",
            "create_time": "2026-11-10T10:00:00+08:00",
            "resource_type": "encrypt-resource",
            "event_type": "TRANSACTION.SUCCESS",
            "summary": "支付成功",
            "resource": {
                "original_type": "transaction",
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": "transaction",
                "nonce": aead_nonce,
            },
        },
        ensure_ascii=False,
    ).encode()
    timestamp = str(int(at.timestamp()))
    message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
    headers = {
        "Wechatpay-Timestamp": timestamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": sign_sha256_rsa(key, message),
        "Wechatpay-Serial": SERIAL,
    }
    return headers, body


def verifier(key: rsa.RSAPrivateKey) -> WeChatPayVerifier:
    return WeChatPayVerifier(key.public_key(), API_V3_KEY, serial=SERIAL)


def test_a_documented_notification_is_verified(platform_key: rsa.RSAPrivateKey) -> None:
    headers, body = notification(platform_key, transaction())
    verified = verifier(platform_key).verify_notification(headers, body, now=NOW)
    assert verified.out_trade_no == "EH20261110000001ABCDEF012345"
    assert verified.transaction_id == "4200000985202611101234567890"
    assert verified.amount == Decimal("409.58")  # 40958 fen
    assert verified.paid_at == datetime(2026, 11, 10, 1, 59, 30, tzinfo=UTC)
    assert verified.nonce == "fdasflkja484w"


def test_headers_are_matched_whatever_their_case(platform_key: rsa.RSAPrivateKey) -> None:
    headers, body = notification(platform_key, transaction())
    lowered = {k.lower(): v for k, v in headers.items()}  # as ASGI servers hand them over
    assert verifier(platform_key).verify_notification(lowered, body, now=NOW).amount


def test_a_tampered_body_is_refused(platform_key: rsa.RSAPrivateKey) -> None:
    headers, body = notification(platform_key, transaction())
    tampered = body.replace(b"TRANSACTION.SUCCESS", b"TRANSACTION.SUCCESS ")
    with pytest.raises(NotificationRejected, match="signature"):
        verifier(platform_key).verify_notification(headers, tampered, now=NOW)


def test_a_tampered_nonce_or_timestamp_is_refused(platform_key: rsa.RSAPrivateKey) -> None:
    headers, body = notification(platform_key, transaction())
    for name, value in (("Wechatpay-Nonce", "other"), ("Wechatpay-Timestamp", "1794275999")):
        with pytest.raises(NotificationRejected, match="signature"):
            verifier(platform_key).verify_notification(headers | {name: value}, body, now=NOW)


def test_another_keys_signature_is_refused(platform_key: rsa.RSAPrivateKey) -> None:
    headers, body = notification(new_key(), transaction())
    with pytest.raises(NotificationRejected, match="signature"):
        verifier(platform_key).verify_notification(headers, body, now=NOW)


def test_another_certificate_serial_is_refused(platform_key: rsa.RSAPrivateKey) -> None:
    headers, body = notification(platform_key, transaction())
    with pytest.raises(NotificationRejected, match="certificate"):
        verifier(platform_key).verify_notification(
            headers | {"Wechatpay-Serial": "0000"}, body, now=NOW
        )


def test_a_stale_notification_is_refused(platform_key: rsa.RSAPrivateKey) -> None:
    headers, body = notification(platform_key, transaction(), at=NOW - timedelta(minutes=6))
    with pytest.raises(NotificationRejected, match="outside 300 s"):
        verifier(platform_key).verify_notification(headers, body, now=NOW)
    fresh = NOW - timedelta(minutes=4)
    headers, body = notification(platform_key, transaction(), at=fresh)
    assert verifier(platform_key).verify_notification(headers, body, now=NOW).amount


def test_a_resource_under_another_api_v3_key_is_refused(platform_key: rsa.RSAPrivateKey) -> None:
    headers, body = notification(platform_key, transaction(), api_v3_key="x" * 32)
    with pytest.raises(NotificationRejected, match="APIv3 key"):
        verifier(platform_key).verify_notification(headers, body, now=NOW)


def test_an_unpaid_trade_state_is_refused(platform_key: rsa.RSAPrivateKey) -> None:
    headers, body = notification(platform_key, transaction(trade_state="NOTPAY"))
    with pytest.raises(NotificationRejected, match="NOTPAY"):
        verifier(platform_key).verify_notification(headers, body, now=NOW)


def test_a_missing_header_is_named(platform_key: rsa.RSAPrivateKey) -> None:
    headers, body = notification(platform_key, transaction())
    del headers["Wechatpay-Signature"]
    with pytest.raises(NotificationRejected, match="Wechatpay-Signature is missing"):
        verifier(platform_key).verify_notification(headers, body, now=NOW)
