"""Alipay asynchronous notifications (支付宝 异步通知), checked as documented.

The body is a form. Drop `sign` and `sign_type`, sort the other parameters by name, join them
as name=value with "&" (values URL-decoded), and verify `sign` (base64) as RSA2, i.e.
SHA256withRSA, with Alipay's public key (not the app's own). Then trade_status must be
TRADE_SUCCESS or TRADE_FINISHED; total_amount is in yuan. notify_id is the nonce and
notify_time (Beijing time) the timestamp held to the window.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from adapters.payments.base import (
    NotificationRejected,
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
