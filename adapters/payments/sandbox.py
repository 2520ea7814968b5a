"""A payment provider that runs inside the hub, for the demo and the tests: no money moves,
but everything else happens as with a real one.

The owner opens the sandbox's pay page (served by the hub), presses 付款 Pay, and the sandbox
then posts a notification signed with its own HMAC key to the hub's notify URL, over HTTP and
after the page has answered, as a provider would. The hub verifies it exactly like a real one:
signature, timestamp window, nonce, amount and trade.

Signed message, as WeChat Pay builds it: timestamp + "\\n" + nonce + "\\n" + body + "\\n",
HMAC-SHA256 with the sandbox key, hex, in the Sandbox-Signature header.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal

from adapters.payments.base import (
    IntentRequest,
    NotificationRejected,
    PayStart,
    ProviderAnswer,
    VerifiedNotification,
    check_window,
    header,
    yuan,
)

log = logging.getLogger(__name__)

NAME = "sandbox"
TIMESTAMP = "Sandbox-Timestamp"
NONCE = "Sandbox-Nonce"
SIGNATURE = "Sandbox-Signature"


def _message(timestamp: str, nonce: str, body: bytes) -> bytes:
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"


class SandboxProvider:
    """The in-hub provider; `key` signs and verifies its notifications."""

    name = NAME

    def __init__(self, key: str, *, pay_path: str) -> None:
        self._key = key.encode()
        self._pay_path = pay_path.rstrip("/")

    def start(self, request: IntentRequest) -> PayStart:
        return PayStart(pay_url=f"{self._pay_path}/{request.out_trade_no}", params={})

    def sign(
        self, out_trade_no: str, amount: Decimal, *, now: datetime
    ) -> tuple[dict[str, str], bytes]:
        """The headers and body of a "paid" notification for `out_trade_no`, as sent."""
        body = json.dumps(
            {
                "out_trade_no": out_trade_no,
                "transaction_id": self.transaction_id(out_trade_no),
                "trade_state": "SUCCESS",
                "amount": f"{amount:.2f}",
                "paid_at": now.astimezone(UTC).isoformat(),
            },
            separators=(",", ":"),
        ).encode()
        timestamp = str(int(now.timestamp()))
        nonce = secrets.token_hex(16)
        signature = hmac.new(self._key, _message(timestamp, nonce, body), hashlib.sha256)
        headers = {
            TIMESTAMP: timestamp,
            NONCE: nonce,
            SIGNATURE: signature.hexdigest(),
            "Content-Type": "application/json",
        }
        return headers, body

    def transaction_id(self, out_trade_no: str) -> str:
        """One transaction per trade, as with a real provider: paying twice is one payment."""
        digest = hmac.new(self._key, out_trade_no.encode(), hashlib.sha256).hexdigest()
        return f"SBX{digest[:24].upper()}"

    def verify_notification(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> VerifiedNotification:
        timestamp, nonce = header(headers, TIMESTAMP), header(headers, NONCE)
        expected = hmac.new(self._key, _message(timestamp, nonce, body), hashlib.sha256)
        if not hmac.compare_digest(expected.hexdigest(), header(headers, SIGNATURE)):
            raise NotificationRejected("sandbox signature does not match the body")
        try:
            check_window(datetime.fromtimestamp(int(timestamp), UTC), now)
            data = json.loads(body)
            if data["trade_state"] != "SUCCESS":
                raise NotificationRejected(f"trade state {data['trade_state']}, not SUCCESS")
            return VerifiedNotification(
                out_trade_no=str(data["out_trade_no"]),
                transaction_id=str(data["transaction_id"]),
                amount=yuan(str(data["amount"])),
                paid_at=datetime.fromisoformat(data["paid_at"]).astimezone(UTC),
                nonce=nonce,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise NotificationRejected(f"sandbox notification unreadable: {exc}") from None

    def nonce_of(self, headers: Mapping[str, str], body: bytes) -> str | None:
        lowered = {key.lower(): value for key, value in headers.items()}
        return lowered.get(NONCE.lower())

    def answer(self, accepted: bool, message: str) -> ProviderAnswer:
        content = json.dumps({"code": "SUCCESS" if accepted else "FAIL", "message": message})
        return ProviderAnswer(200 if accepted else 400, content, "application/json")


def deliver(url: str, headers: Mapping[str, str], body: bytes, *, attempts: int = 3) -> bool:
    """POST a signed notification to the hub, retrying briefly when it could not be
    delivered, as providers do; True once the hub answered 2xx."""
    for attempt in range(attempts):
        request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                if 200 <= response.status < 300:
                    return True
        except urllib.error.HTTPError as exc:  # refused: the same body would be refused again
            log.warning("sandbox notification to %s refused: %s %s", url, exc.code, exc.read())
            return False
        except OSError as exc:
            log.warning("sandbox notification to %s failed: %s", url, exc)
        time.sleep(0.5 * (attempt + 1))
    return False
