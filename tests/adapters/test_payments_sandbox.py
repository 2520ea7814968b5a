"""The sandbox provider signs what it sends with its HMAC key and refuses anything else."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from adapters.payments.base import IntentRequest, NotificationRejected
from adapters.payments.sandbox import SandboxProvider

NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


def sandbox(key: str = "k" * 32) -> SandboxProvider:
    return SandboxProvider(key, pay_path="/api/v1/payments/sandbox")


def test_what_it_signs_it_verifies() -> None:
    headers, body = sandbox().sign("EH1", Decimal("409.58"), now=NOW)
    verified = sandbox().verify_notification(headers, body, now=NOW + timedelta(seconds=3))
    assert (verified.out_trade_no, verified.amount, verified.paid_at) == (
        "EH1",
        Decimal("409.58"),
        NOW,
    )
    assert verified.transaction_id.startswith("SBX")
    again = sandbox().verify_notification(
        *sandbox().sign("EH1", Decimal("409.58"), now=NOW), now=NOW
    )
    assert again.transaction_id == verified.transaction_id  # one transaction per trade
    assert again.nonce != verified.nonce
    assert verified.nonce == headers["Sandbox-Nonce"]


def test_another_key_a_tampered_body_or_a_stale_one_is_refused() -> None:
    headers, body = sandbox().sign("EH1", Decimal("409.58"), now=NOW)
    with pytest.raises(NotificationRejected, match="signature"):
        sandbox("other" * 8).verify_notification(headers, body, now=NOW)
    tampered = json.dumps(json.loads(body) | {"amount": "0.01"}).encode()
    with pytest.raises(NotificationRejected, match="signature"):
        sandbox().verify_notification(headers, tampered, now=NOW)
    with pytest.raises(NotificationRejected, match="outside 300 s"):
        sandbox().verify_notification(headers, body, now=NOW + timedelta(minutes=6))


def test_the_pay_url_is_the_hubs_sandbox_page() -> None:
    start = sandbox().start(IntentRequest("EH1", Decimal("1.00"), "bill", at=NOW))
    assert start.pay_url == "/api/v1/payments/sandbox/EH1"
