"""Paying a bill as an owner does: start an intent, then the sandbox's signed notification
arrives at the notify URL and goes through the same checks as a real provider's."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx2

from hub.context import HubContext
from hub.services.payment_providers import sandbox
from tests.conftest import ApiClient

NOTIFY = "/api/v1/payments/notify/sandbox"


def start(api: ApiClient, bill_id: int, owner: str = "owner101") -> dict[str, Any]:
    response = api.post(f"/api/v1/bills/{bill_id}/pay", as_user=owner)
    assert isinstance(response, httpx2.Response)
    assert response.status_code == 201, response.text
    intent: dict[str, Any] = response.json()
    return intent


def sandbox_notification(
    context: HubContext, intent: dict[str, Any]
) -> tuple[dict[str, str], bytes]:
    """What the sandbox posts once the owner pressed Pay on its page."""
    return sandbox(context.settings).sign(
        intent["out_trade_no"], Decimal(intent["amount"]), now=context.clock.now()
    )


def notify(api: ApiClient, headers: dict[str, str], body: bytes) -> httpx2.Response:
    return api.client.post(NOTIFY, headers=headers, content=body)


def pay(api: ApiClient, context: HubContext, bill_id: int, owner: str = "owner101") -> None:
    """Start and complete a sandbox payment of `bill_id`."""
    headers, body = sandbox_notification(context, start(api, bill_id, owner))
    response = notify(api, headers, body)
    assert response.status_code == 200, response.text


def counter_pay(
    api: ApiClient, bill_id: int, payment: dict[str, str], as_user: str = "finance"
) -> httpx2.Response:
    """Record cash or a transfer at the counter for the home of `bill_id`."""
    bill = api.get(f"/api/v1/bills/{bill_id}", as_user="finance")
    assert isinstance(bill, httpx2.Response) and bill.status_code == 200, bill
    home_id = bill.json()["home_id"]
    response = api.post(f"/api/v1/homes/{home_id}/payments", as_user=as_user, json=payment)
    assert isinstance(response, httpx2.Response)
    return response


def home_payments(api: ApiClient, home_id: int, as_user: str = "finance") -> list[dict[str, Any]]:
    """The payments on a home's account, newest first."""
    response = api.get(f"/api/v1/homes/{home_id}/account", as_user=as_user)
    assert isinstance(response, httpx2.Response) and response.status_code == 200, response
    payments: list[dict[str, Any]] = response.json()["payments"]
    return payments
