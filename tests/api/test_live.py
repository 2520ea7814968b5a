"""The live WebSocket feed: every open console sees alerts and acknowledgements as they happen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.websockets import WebSocketDisconnect

from hub.clock import FakeClock
from tests.api.conftest import LIVE, RaiseAlert, next_of, receive
from tests.conftest import ApiClient


def test_two_consoles_see_an_alert_and_its_acknowledgement(
    api: ApiClient, raise_leak: RaiseAlert, clock: FakeClock
) -> None:
    earlier = raise_leak("smoke-b2-hall/smoke", title="烟感 Smoke")
    operator, guard = api.token("operator"), api.token("guard")
    with (
        api.client.websocket_connect(f"{LIVE}?token={operator}") as first,
        api.client.websocket_connect(f"{LIVE}?token={guard}") as second,
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
            assert updated["acknowledged_at"] == clock.now().isoformat()


def _close_code(api: ApiClient, query: str) -> int:
    with (
        api.client.websocket_connect(f"{LIVE}{query}") as ws,
        pytest.raises(WebSocketDisconnect) as refused,
    ):
        receive(ws)
    return refused.value.code


def test_missing_or_bad_token_is_refused_with_4401(api: ApiClient) -> None:
    assert _close_code(api, "") == 4401
    assert _close_code(api, "?token=not-a-token") == 4401


@pytest.mark.parametrize("user", ["owner101", "tech", "finance", "service"])
def test_roles_outside_the_control_room_are_refused_with_4403(api: ApiClient, user: str) -> None:
    assert _close_code(api, f"?token={api.token(user)}") == 4403


def test_an_initial_password_must_be_changed_before_watching(api: ApiClient) -> None:
    login = api.client.post(
        "/api/v1/auth/token", data={"username": "operator", "password": api.accounts["operator"]}
    )
    assert _close_code(api, f"?token={login.json()['access_token']}") == 4403
