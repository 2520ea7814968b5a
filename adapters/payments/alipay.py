"""Alipay (支付宝): computer-site payment (alipay.trade.page.pay) and its asynchronous
notifications (异步通知), as documented.

Starting a payment needs no call to Alipay: the pay URL is the gateway with the request's
parameters, signed RSA2 with the app's private key over every parameter but `sign`, sorted,
joined k=v&k=v. The owner's browser goes there; Alipay later posts the notification.

A notification's body is a form. Drop `sign` and `sign_type`, sort the other parameters by
name, join them as name=value with "&" (values URL-decoded), and verify `sign` (base64) as
RSA2, i.e. SHA256withRSA, with Alipay's public key (not the app's own). Then trade_status must
be TRADE_SUCCESS or TRADE_FINISHED; total_amount is in yuan. notify_id is the nonce and
notify_time (Beijing time) the timestamp held to the window.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from adapters.payments.base import (
    IntentRequest,
    NotificationRejected,
    PayStart,
    ProviderAnswer,
    VerifiedNotification,
    check_window,
    yuan,
)

NAME = "alipay"
PAID = frozenset({"TRADE_SUCCESS", "TRADE_FINISHED"})
BEIJING = ZoneInfo("Asia/Shanghai")


def signed_content(params: Mapping[str, str]) -> bytes:
    """The bytes Alipay signed: every parameter but sign and sign_type, sorted, k=v&k=v."""
    kept = sorted((k, v) for k, v in params.items() if k not in ("sign", "sign_type"))
    return "&".join(f"{k}={v}" for k, v in kept).encode()


def request_content(params: Mapping[str, str]) -> bytes:
    """The bytes the app signs in a request: every non-empty parameter but sign, sorted."""
    kept = sorted((k, v) for k, v in params.items() if k != "sign" and v)
    return "&".join(f"{k}={v}" for k, v in kept).encode()


def _form(body: bytes) -> dict[str, str]:
    try:
        pairs = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        raise NotificationRejected("Alipay notification is not a form") from None
    return dict(pairs)


class AlipayVerifier:
    """Checks notifications with Alipay's public key; `app_id`, if given, must match."""

    name = NAME

    def __init__(self, alipay_public_key: RSAPublicKey, *, app_id: str = "") -> None:
        self._key = alipay_public_key
        self._app_id = app_id

    def verify_notification(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> VerifiedNotification:
        params = _form(body)
        if params.get("sign_type", "RSA2") != "RSA2":
            raise NotificationRejected(f"sign_type {params['sign_type']}, not RSA2")
        try:
            signature = base64.b64decode(params.get("sign", ""), validate=True)
            self._key.verify(signature, signed_content(params), padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, binascii.Error):
            raise NotificationRejected("Alipay signature does not match the parameters") from None
        if self._app_id and params.get("app_id") != self._app_id:
            raise NotificationRejected(f"app_id {params.get('app_id')} is not ours")
        if params.get("trade_status") not in PAID:
            raise NotificationRejected(f"trade_status {params.get('trade_status')}, not paid")
        try:
            sent = datetime.strptime(params["notify_time"], "%Y-%m-%d %H:%M:%S")
            check_window(sent.replace(tzinfo=BEIJING), now)
            paid = datetime.strptime(
                params.get("gmt_payment") or params["notify_time"], "%Y-%m-%d %H:%M:%S"
            )
            return VerifiedNotification(
                out_trade_no=params["out_trade_no"],
                transaction_id=params["trade_no"],
                amount=yuan(params["total_amount"]),
                paid_at=paid.replace(tzinfo=BEIJING).astimezone(UTC),
                nonce=params["notify_id"],
            )
        except (KeyError, ValueError) as exc:
            raise NotificationRejected(f"Alipay notification unreadable: {exc}") from None

    def nonce_of(self, headers: Mapping[str, str], body: bytes) -> str | None:
        try:
            return _form(body).get("notify_id")
        except NotificationRejected:
            return None

    def answer(self, accepted: bool, message: str) -> ProviderAnswer:
        # Alipay stops retrying only on the exact text "success".
        return ProviderAnswer(
            200 if accepted else 400, "success" if accepted else "failure", "text/plain"
        )


@dataclass(frozen=True)
class AlipayApp:
    """The merchant's app at Alipay: its id, its own private key, where notifications go."""

    app_id: str
    private_key: RSAPrivateKey
    notify_url: str
    gateway: str = "https://openapi.alipay.com/gateway.do"


class AlipayProvider(AlipayVerifier):
    """Starts page payments as `app` and verifies Alipay's notifications about them."""

    def __init__(self, app: AlipayApp, alipay_public_key: RSAPublicKey) -> None:
        super().__init__(alipay_public_key, app_id=app.app_id)
        self._app = app

    def start(self, request: IntentRequest) -> PayStart:
        biz = {
            "out_trade_no": request.out_trade_no,
            "total_amount": f"{request.amount:.2f}",
            "subject": request.description[:256],
            "product_code": "FAST_INSTANT_TRADE_PAY",
        }
        params = {
            "app_id": self._app.app_id,
            "method": "alipay.trade.page.pay",
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": f"{request.at.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}",
            "version": "1.0",
            "notify_url": self._app.notify_url,
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
        }
        signature = self._app.private_key.sign(
            request_content(params), padding.PKCS1v15(), hashes.SHA256()
        )
        params["sign"] = base64.b64encode(signature).decode()
        return PayStart(pay_url=f"{self._app.gateway}?{urlencode(params)}", params=params)
