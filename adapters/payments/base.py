"""What the hub needs from a payment provider: a way to start paying an intent, and a check
that turns a notification's raw headers and body into facts the hub can trust.

A provider never marks a bill paid itself. It only says, after checking the signature and the
timestamp, "this trade was paid, this much, by this transaction"; the billing service then
matches that against the intent it created.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from hub.errors import InvalidInput

# How far a notification's own timestamp may be from the hub's clock (WeChat Pay suggests 5 min).
TIMESTAMP_WINDOW = timedelta(minutes=5)


class NotificationRejected(InvalidInput):
    """A notification the hub must not act on: bad signature, stale, not a payment, unreadable."""


@dataclass(frozen=True)
class IntentRequest:
    """What a provider needs to start a payment: our trade number, the amount, what it pays."""

    out_trade_no: str
    amount: Decimal  # yuan, two places
    description: str
    at: datetime  # aware; providers stamp their requests


@dataclass(frozen=True)
class PayStart:
    """Where the payer goes to pay: a URL, and any form/QR parameters the provider wants."""

    pay_url: str
    params: Mapping[str, str]


@dataclass(frozen=True)
class VerifiedNotification:
    """A payment notification whose signature and timestamp have been checked."""

    out_trade_no: str
    transaction_id: str
    amount: Decimal  # yuan
    paid_at: datetime  # aware
    nonce: str  # the provider's per-notification nonce or id, against replays


@dataclass(frozen=True)
class ProviderAnswer:
    """The HTTP answer a provider expects back (WeChat wants JSON, Alipay the word success)."""

    status_code: int
    content: str
    media_type: str


class NotificationVerifier(Protocol):
    """Turns a provider's notification into verified facts (WeChat Pay, Alipay, sandbox)."""

    name: str

    def verify_notification(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> VerifiedNotification:
        """The notification's facts, or NotificationRejected saying why not."""
        ...

    def nonce_of(self, headers: Mapping[str, str], body: bytes) -> str | None:
        """The nonce a notification claims, unverified: recorded even when it is refused."""
        ...

    def answer(self, accepted: bool, message: str) -> ProviderAnswer:
        """The reply that tells the provider to stop (accepted) or retry later (refused)."""
        ...


class PaymentProvider(NotificationVerifier, Protocol):
    """A provider the hub can also start payments with."""

    def start(self, request: IntentRequest) -> PayStart:
        """Where the owner goes to pay `request`."""
        ...


def check_window(timestamp: datetime, now: datetime) -> None:
    """Refuse a notification stamped too far from `now` (a replay, or a badly set clock)."""
    if abs(now - timestamp) > TIMESTAMP_WINDOW:
        raise NotificationRejected(
            f"notification timestamp {timestamp.isoformat()} is outside "
            f"{int(TIMESTAMP_WINDOW.total_seconds())} s of the hub's clock {now.isoformat()}"
        )


def header(headers: Mapping[str, str], name: str) -> str:
    """A required header, case-insensitively."""
    lowered = {key.lower(): value for key, value in headers.items()}
    value = lowered.get(name.lower())
    if not value:
        raise NotificationRejected(f"header {name} is missing")
    return value


def yuan(text: str) -> Decimal:
    """A provider's amount in yuan ("409.58") as Decimal, refusing anything else."""
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise NotificationRejected(f"amount {text!r} is not a number") from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise NotificationRejected(f"amount {text!r} is not a positive amount in yuan")
    return value.quantize(Decimal("0.01"))
