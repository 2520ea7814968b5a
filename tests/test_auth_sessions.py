"""Sessions: short access tokens, rotating refresh tokens (reuse revokes the session), logout,
and revocation on password change, admin reset and deactivation, over REST and the live feed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2
import pytest
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from api import live
from hub.clock import FakeClock
from hub.context import HubContext
from hub.storage.models import User
from tests.api.conftest import live_feed, receive
from tests.conftest import ApiClient

REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/auth/me"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _me(api: ApiClient, token: str) -> int:
    response = api.client.get(ME, headers=_bearer(token))
    assert isinstance(response, httpx2.Response)
    return response.status_code


def _refresh(api: ApiClient, refresh_token: str) -> httpx2.Response:
    response = api.client.post(REFRESH, json={"refresh_token": refresh_token})
    assert isinstance(response, httpx2.Response)
    return response


def _session(api: ApiClient, username: str) -> dict[str, Any]:
    """A second login of an account whose initial password is already changed."""
    api.token(username)
    return api.login(username)


def test_the_token_response_names_its_lifetime_and_a_refresh_token(api: ApiClient) -> None:
    body = _session(api, "operator")
    assert body["token_type"] == "bearer" and body["role"] == "operator"
    assert body["expires_in"] == 15 * 60
    assert body["refresh_token"] and body["must_change_password"] is False


def test_an_access_token_expires_after_15_minutes(api: ApiClient, clock: FakeClock) -> None:
    token = _session(api, "operator")["access_token"]
    clock.advance(timedelta(minutes=14))
    assert _me(api, token) == 200
    clock.advance(timedelta(minutes=1))
    expired = api.client.get(ME, headers=_bearer(token))
    assert expired.status_code == 401 and expired.headers["WWW-Authenticate"] == "Bearer"


def test_a_refresh_rotates_and_an_old_refresh_token_revokes_the_session(
    api: ApiClient, clock: FakeClock
) -> None:
    first = _session(api, "operator")
    clock.advance(timedelta(minutes=20))
    second = _refresh(api, first["refresh_token"])
    assert second.status_code == 200
    renewed = second.json()
    assert renewed["refresh_token"] != first["refresh_token"]
    assert _me(api, renewed["access_token"]) == 200
    stolen = _refresh(api, first["refresh_token"])
    assert stolen.status_code == 401 and "revoked" in stolen.json()["detail"]
    assert _me(api, renewed["access_token"]) == 401
    assert _refresh(api, renewed["refresh_token"]).status_code == 401


def test_a_session_ends_after_12_hours_however_often_refreshed(
    api: ApiClient, clock: FakeClock
) -> None:
    refresh_token = _session(api, "operator")["refresh_token"]
    for _ in range(47):
        clock.advance(timedelta(minutes=15))
        response = _refresh(api, refresh_token)
        assert response.status_code == 200
        refresh_token = response.json()["refresh_token"]
    clock.advance(timedelta(minutes=15))
    assert _refresh(api, refresh_token).status_code == 401
    assert _refresh(api, "not-a-token").status_code == 401


def test_logout_ends_that_session_only(api: ApiClient) -> None:
    mine = _session(api, "operator")
    other = api.login("operator")
    out = api.client.post(LOGOUT, headers=_bearer(mine["access_token"]))
    assert out.status_code == 204
    assert _me(api, mine["access_token"]) == 401
    assert _refresh(api, mine["refresh_token"]).status_code == 401
    assert _me(api, other["access_token"]) == 200


def test_a_password_change_ends_the_other_sessions(api: ApiClient) -> None:
    mine = _session(api, "operator")
    other = api.login("operator")
    changed = api.client.post(
        "/api/v1/auth/password",
        json={"current_password": api.accounts["operator"], "new_password": "Kq7#vLm2Tw9xNew"},
        headers=_bearer(mine["access_token"]),
    )
    assert changed.status_code == 204
    assert _me(api, mine["access_token"]) == 200
    assert _me(api, other["access_token"]) == 401
    assert _refresh(api, other["refresh_token"]).status_code == 401


def _staff_id(context: HubContext, username: str) -> int:
    with context.db.session() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
    assert user_id is not None
    return user_id


@pytest.mark.parametrize("action", ["reset-password", "deactivate"])
def test_an_admin_reset_or_deactivation_ends_every_session(
    api: ApiClient, context: HubContext, action: str
) -> None:
    tech = _session(api, "tech")
    tech_id = _staff_id(context, "tech")
    done = api.post(f"/api/v1/accounts/{tech_id}/{action}", as_user="admin")
    assert done.status_code == 200
    assert _me(api, tech["access_token"]) == 401
    assert _refresh(api, tech["refresh_token"]).status_code == 401


def test_logout_closes_the_sessions_open_live_feed(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "REVALIDATE_S", 0.1)
    token = _session(api, "operator")["access_token"]
    with live_feed(api, token) as ws:
        assert receive(ws)["kind"] == "snapshot"
        assert api.client.post(LOGOUT, headers=_bearer(token)).status_code == 204
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:
                receive(ws, timeout=3.0)
        assert closed.value.code == 4401
