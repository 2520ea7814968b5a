"""Login throttling: per account and per client address, kept in the database, timed by the
hub's clock, audited."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from hub.clock import FakeClock
from hub.context import HubContext
from hub.storage.models import AuditEntry, User
from tests.conftest import ApiClient

TOKEN = "/api/v1/auth/token"


def _login(client: TestClient, username: str, password: str) -> httpx2.Response:
    response = client.post(TOKEN, data={"username": username, "password": password})
    assert isinstance(response, httpx2.Response)
    return response


def _audit(context: HubContext, action: str) -> list[tuple[int | None, str]]:
    with context.db.session() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        return [(row.user_id, row.target) for row in rows]


def _user_id(context: HubContext, username: str) -> int:
    with context.db.session() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
    assert user_id is not None
    return user_id


def test_five_failures_lock_the_account_even_for_the_right_password(
    api: ApiClient, clock: FakeClock, context: HubContext
) -> None:
    password = api.accounts["operator"]
    for _ in range(5):
        assert _login(api.client, "operator", "Wrong#Pass1").status_code == 403
    locked = _login(api.client, "operator", password)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) == 15 * 60
    assert "too many failed logins" in locked.json()["detail"]
    clock.advance(timedelta(minutes=10))
    assert int(_login(api.client, "operator", password).headers["Retry-After"]) == 5 * 60
    clock.advance(timedelta(minutes=5))
    assert _login(api.client, "operator", password).status_code == 200
    operator = _user_id(context, "operator")
    assert _audit(context, "login_failed") == [(operator, f"user:{operator}")] * 5
    assert (operator, f"user:{operator}") in _audit(context, "login_locked")


def test_the_lock_is_per_account(api: ApiClient) -> None:
    for _ in range(5):
        _login(api.client, "operator", "Wrong#Pass1")
    assert _login(api.client, "guard", api.accounts["guard"]).status_code == 200


def test_a_successful_login_clears_the_accounts_failures(api: ApiClient) -> None:
    password = api.accounts["operator"]
    for _ in range(4):
        _login(api.client, "operator", "Wrong#Pass1")
    assert _login(api.client, "operator", password).status_code == 200
    for _ in range(4):
        _login(api.client, "operator", "Wrong#Pass1")
    assert _login(api.client, "operator", password).status_code == 200


def test_failures_older_than_the_window_do_not_count(api: ApiClient, clock: FakeClock) -> None:
    for _ in range(4):
        _login(api.client, "operator", "Wrong#Pass1")
    clock.advance(timedelta(minutes=16))
    _login(api.client, "operator", "Wrong#Pass1")
    assert _login(api.client, "operator", api.accounts["operator"]).status_code == 200


def test_after_a_lock_ends_counting_starts_again(
    api: ApiClient, clock: FakeClock, context: HubContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(context.settings, "login_window_minutes", 60)
    for _ in range(5):
        _login(api.client, "operator", "Wrong#Pass1")
    clock.advance(timedelta(minutes=15))
    assert _login(api.client, "operator", "Wrong#Pass1").status_code == 403  # not locked again
    assert _login(api.client, "operator", api.accounts["operator"]).status_code == 200


def test_unknown_usernames_are_counted_audited_without_a_user_and_locked(
    api: ApiClient, context: HubContext
) -> None:
    statuses = [_login(api.client, "nobody", "Wrong#Pass1").status_code for _ in range(6)]
    assert statuses == [403] * 5 + [429]
    assert _audit(context, "login_failed") == [(None, "username:nobody")] * 5
    assert (None, "username:nobody") in _audit(context, "login_locked")


def test_fifty_failures_from_one_address_lock_it_for_every_account(
    api: ApiClient, clock: FakeClock
) -> None:
    for n in range(50):
        assert _login(api.client, f"guess{n % 10}", "Wrong#Pass1").status_code in (403, 429)
        if n % 4 == 3:
            clock.advance(timedelta(seconds=10))
    refused = _login(api.client, "guard", api.accounts["guard"])
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    clock.advance(timedelta(minutes=15))
    assert _login(api.client, "guard", api.accounts["guard"]).status_code == 200


def test_a_lock_holds_in_every_api_process(api: ApiClient, context: HubContext) -> None:
    for _ in range(5):
        _login(api.client, "operator", "Wrong#Pass1")
    other = HubContext.from_settings(context.settings, context.clock)
    try:
        with TestClient(create_app(other)) as second:
            assert _login(second, "operator", api.accounts["operator"]).status_code == 429
    finally:
        other.db.dispose()


@pytest.mark.parametrize("username", ["operator", "nobody"])
def test_a_locked_attempt_is_audited_under_its_account(
    api: ApiClient, context: HubContext, username: str
) -> None:
    for _ in range(5):
        _login(api.client, username, "Wrong#Pass1")
    before = _audit(context, "login_locked")
    assert _login(api.client, username, "Wrong#Pass1").status_code == 429
    user_id = _user_id(context, username) if username == "operator" else None
    target = f"user:{user_id}" if user_id else f"username:{username}"
    assert _audit(context, "login_locked") == [*before, (user_id, target)]
