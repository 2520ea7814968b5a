"""The live WebSocket feed: every open console sees alerts and acknowledgements as they happen;
the token comes as the first message, never in the URL, and a socket whose account or token
stops being valid is closed within seconds."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from api import live
from hub.clock import FakeClock
from hub.context import HubContext
from hub.storage.models import User
from tests.api.conftest import LIVE, RaiseAlert, live_feed, next_of, receive
from tests.conftest import ApiClient


def test_two_consoles_see_an_alert_and_its_acknowledgement(
    api: ApiClient, raise_leak: RaiseAlert, clock: FakeClock
) -> None:
    earlier = raise_leak("smoke-b2-hall/smoke", title="烟感 Smoke")
    with (
        live_feed(api, api.token("operator")) as first,
        live_feed(api, api.token("guard")) as second,
    ):
        for ws in (first, second):
            snapshot = receive(ws)
            assert snapshot["kind"] == "snapshot"
            assert [a["id"] for a in snapshot["data"]["alerts"]] == [earlier["id"]]

        alert = raise_leak()
        for ws in (first, second):
            raised = next_of(ws, "alert.raised", alert["id"])
            assert (raised["title"], raised["state"]) == ("漏水 Leak", "active_unacknowledged")

        clock.advance(timedelta(seconds=30))
        acked = api.post(f"/api/v1/alerts/{alert['id']}/acknowledge", as_user="operator")
        assert acked.status_code == 200
        for ws in (first, second):
            updated = next_of(ws, "alert.updated", alert["id"])
            assert updated["state"] == "active_acknowledged"
            assert updated["acknowledged_by"] == "operator"
            assert datetime.fromisoformat(updated["acknowledged_at"]) == clock.now()


def _closed_with(ws: WebSocketTestSession) -> int:
    """The close code of a socket the hub closes, skipping whatever it sent before."""
    with pytest.raises(WebSocketDisconnect) as closed:
        while True:
            receive(ws)
    return closed.value.code


def _close_code(api: ApiClient, first_message: object) -> int:
    with api.client.websocket_connect(LIVE) as ws:
        ws.send_json(first_message)
        return _closed_with(ws)


def test_a_missing_bad_or_malformed_token_is_refused_with_4401(api: ApiClient) -> None:
    assert _close_code(api, {"type": "auth", "token": ""}) == 4401
    assert _close_code(api, {"type": "auth", "token": "not-a-token"}) == 4401
    assert _close_code(api, {"type": "hello", "token": api.token("operator")}) == 4401
    assert _close_code(api, ["auth", api.token("operator")]) == 4401
    with api.client.websocket_connect(LIVE) as ws:
        ws.send_text("not json")
        assert _closed_with(ws) == 4401


def test_a_token_in_the_url_is_not_accepted(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing in the URL authenticates: without the auth message the socket closes (4401)."""
    monkeypatch.setattr(live, "AUTH_TIMEOUT_S", 0.2)
    with api.client.websocket_connect(f"{LIVE}?token={api.token('operator')}") as ws:
        assert _closed_with(ws) == 4401


def test_a_role_with_nothing_to_read_is_refused_with_4403(api: ApiClient) -> None:
    assert _close_code(api, {"type": "auth", "token": api.token("finance")}) == 4403


def test_an_initial_password_must_be_changed_before_watching(api: ApiClient) -> None:
    login = api.client.post(
        "/api/v1/auth/token", data={"username": "operator", "password": api.accounts["operator"]}
    )
    assert _close_code(api, {"type": "auth", "token": login.json()["access_token"]}) == 4403


@pytest.fixture
def quick_revalidation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "REVALIDATE_S", 0.1)


@pytest.mark.usefixtures("quick_revalidation")
def test_a_deactivated_accounts_open_socket_is_closed(
    api: ApiClient, context: HubContext, raise_leak: RaiseAlert
) -> None:
    with live_feed(api, api.token("operator")) as ws:
        assert receive(ws)["kind"] == "snapshot"
        with context.db.session() as session:
            operator = session.query(User).filter_by(username="operator").one()
            operator.active = False
        raise_leak()  # committed after the deactivation: must not reach the socket
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:
                assert receive(ws, timeout=3.0)["kind"] != "alert.raised"
        assert closed.value.code == 4401


@pytest.mark.usefixtures("quick_revalidation")
def test_an_expired_tokens_open_socket_is_closed(api: ApiClient, clock: FakeClock) -> None:
    with live_feed(api, api.token("guard")) as ws:
        assert receive(ws)["kind"] == "snapshot"
        clock.advance(timedelta(days=30))  # past any access token's lifetime
        assert _closed_with(ws) == 4401
