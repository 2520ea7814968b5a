"""WeChat Pay API v3 payment notifications (微信支付 支付通知), checked as documented.

1. Signature: the message is Wechatpay-Timestamp + "\\n" + Wechatpay-Nonce + "\\n" + body + "\\n",
   signed SHA256withRSA (PKCS#1 v1.5) with the platform key named by Wechatpay-Serial;
   Wechatpay-Signature is that signature, base64.
2. Timestamp within the window, so an old notification cannot be replayed.
3. `resource` decrypted with AEAD_AES_256_GCM: the APIv3 key, the resource's nonce and
   associated_data, ciphertext base64 (tag appended).
4. The decrypted transaction: trade_state SUCCESS, amount.total in fen -> yuan.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters.payments.base import (
    NotificationRejected,
    ProviderAnswer,
    VerifiedNotification,
    check_window,
    header,
)

NAME = "wechat"


class WeChatPayVerifier:
    """Checks notifications with the platform public key and the merchant's APIv3 key."""

    name = NAME

    def __init__(self, platform_key: RSAPublicKey, api_v3_key: str, *, serial: str = "") -> None:
        if len(api_v3_key.encode()) != 32:
            raise ValueError("the WeChat Pay APIv3 key is 32 characters")
        self._platform_key = platform_key
        self._aead = AESGCM(api_v3_key.encode())
        self._serial = serial

    def verify_notification(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> VerifiedNotification:
        timestamp = header(headers, "Wechatpay-Timestamp")
        nonce = header(headers, "Wechatpay-Nonce")
        serial = header(headers, "Wechatpay-Serial")
        if self._serial and serial != self._serial:
            raise NotificationRejected(f"signed with platform certificate {serial}, not ours")
        message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"
        try:
            signature = base64.b64decode(header(headers, "Wechatpay-Signature"), validate=True)
            self._platform_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, binascii.Error):
            raise NotificationRejected("WeChat Pay signature does not match the body") from None
        try:
            check_window(datetime.fromtimestamp(int(timestamp), UTC), now)
            transaction = self._decrypt(json.loads(body)["resource"])
            if transaction["trade_state"] != "SUCCESS":
                raise NotificationRejected(f"trade_state {transaction['trade_state']}")
            fen = transaction["amount"]["total"]
            if not isinstance(fen, int) or isinstance(fen, bool) or fen <= 0:
                raise NotificationRejected(f"amount.total {fen!r} is not a number of fen")
            return VerifiedNotification(
                out_trade_no=str(transaction["out_trade_no"]),
                transaction_id=str(transaction["transaction_id"]),
                amount=(Decimal(fen) / 100).quantize(Decimal("0.01")),
                paid_at=datetime.fromisoformat(transaction["success_time"]).astimezone(UTC),
                nonce=nonce,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise NotificationRejected(f"WeChat Pay notification unreadable: {exc}") from None

    def _decrypt(self, resource: dict[str, Any]) -> dict[str, Any]:
        if resource.get("algorithm") != "AEAD_AES_256_GCM":
            raise NotificationRejected(f"resource algorithm {resource.get('algorithm')!r}")
        try:
            plain = self._aead.decrypt(
                resource["nonce"].encode(),
                base64.b64decode(resource["ciphertext"], validate=True),
                (resource.get("associated_data") or "").encode() or None,
            )
        except (InvalidTag, binascii.Error):
            raise NotificationRejected("resource does not decrypt with the APIv3 key") from None
        transaction: dict[str, Any] = json.loads(plain)
        return transaction

    def nonce_of(self, headers: Mapping[str, str], body: bytes) -> str | None:
        lowered = {key.lower(): value for key, value in headers.items()}
        return lowered.get("wechatpay-nonce")

    def answer(self, accepted: bool, message: str) -> ProviderAnswer:
        if accepted:  # "接收成功：HTTP应答状态码需返回200或204，无需返回应答报文"
            return ProviderAnswer(204, "", "application/json")
        content = json.dumps({"code": "FAIL", "message": message}, ensure_ascii=False)
        return ProviderAnswer(400, content, "application/json")
