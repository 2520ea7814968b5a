"""Alerts through the API: who may list and acknowledge, history, newest first."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services.alerts import clear, get_or_raise
from tests.api.conftest import RaiseAlert
from tests.conftest import ApiClient

ALERTS = "/api/v1/alerts"


def test_active_alerts_newest_first_and_history_on_request(
    api: ApiClient, raise_leak: RaiseAlert, clock: FakeClock, context: HubContext
) -> None:
    older = raise_leak("leak-b1-101/leak")
    clock.advance(timedelta(minutes=1))
    newer = raise_leak("leak-b1-102/leak", title="卫生间漏水 Bathroom leak")
    clock.advance(timedelta(minutes=1))
    gone = raise_leak("smoke-b2-hall/smoke", title="烟感 Smoke")
    with context.db.session() as session:
        clear(session, "smoke-b2-hall/smoke", now=clock.now())

    for user in ("operator", "admin", "guard"):
        listed = api.get(ALERTS, as_user=user)
        assert listed.status_code == 200, user
        assert [a["id"] for a in listed.json()] == [newer["id"], older["id"]]
    history = api.get(f"{ALERTS}?all=true", as_user="operator").json()
    assert [a["id"] for a in history] == [gone["id"], newer["id"], older["id"]]
    assert history[0]["state"] == "cleared_unacknowledged"


def test_acknowledge_records_who_and_when(
    api: ApiClient, raise_leak: RaiseAlert, clock: FakeClock
) -> None:
    alert = raise_leak()
    clock.advance(timedelta(seconds=42))
    acked = api.post(f"{ALERTS}/{alert['id']}/acknowledge", as_user="operator")
    assert acked.status_code == 200, acked.text
    body = acked.json()
    assert body["state"] == "active_acknowledged"
    assert body["acknowledged_by"] == "operator"
    assert body["acknowledged_at"] == clock.now().isoformat()
    listed = api.get(ALERTS, as_user="guard").json()
    assert (listed[0]["acknowledged_by"], listed[0]["state"]) == ("operator", "active_acknowledged")
    again = api.post(f"{ALERTS}/{alert['id']}/acknowledge", as_user="admin")
    assert again.status_code == 409
    assert api.post(f"{ALERTS}/999999/acknowledge", as_user="admin").status_code == 404


def test_alerts_refuse_other_roles(api: ApiClient, raise_leak: RaiseAlert) -> None:
    alert = raise_leak()
    for user in ("owner101", "tech", "finance", "service"):
        assert api.get(ALERTS, as_user=user).status_code == 403, user
    for user in ("guard", "owner101", "tech"):
        refused = api.post(f"{ALERTS}/{alert['id']}/acknowledge", as_user=user)
        assert refused.status_code == 403, user
    assert api.get(ALERTS, as_user="operator").json()[0]["state"] == "active_unacknowledged"
    assert api.client.get(ALERTS).status_code == 401


def test_acknowledgement_is_stored_before_the_answer_goes_out(
    api: ApiClient, raise_leak: RaiseAlert, context: HubContext
) -> None:
    """A console that reloads right after the answer must already see the acknowledgement."""
    alert = raise_leak()
    token = api.token("operator")
    seen_when_answering: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_after_checking(message: Message) -> None:
            if message["type"] == "http.response.start":
                with context.db.session() as session:
                    seen_when_answering.append(get_or_raise(session, alert["id"]).state.value)
            await send(message)

        await api.client.app(scope, receive, send_after_checking)

    with TestClient(app) as client:
        answer = client.post(
            f"{ALERTS}/{alert['id']}/acknowledge", headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 200
    assert seen_when_answering == ["active_acknowledged"]
