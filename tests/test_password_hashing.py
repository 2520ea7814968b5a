"""Password checks cost the same whoever is asked about, and only a few run at once: the rest
wait in a short queue or are turned away with 503 and Retry-After."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import argon2
import pytest
from argon2 import PasswordHasher

from hub import security
from hub.context import HubContext
from hub.errors import ServiceUnavailable
from hub.settings import get_settings
from hub.storage.models import User
from hub.work_gate import WorkGate
from tests.conftest import ApiClient


@pytest.fixture
def verified(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The hashes every argon2 verify was made against."""
    hashes: list[str] = []
    verify = PasswordHasher.verify

    def counted(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        hashes.append(str(hash))
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    yield hashes


def _login(api: ApiClient, username: str, password: str) -> int:
    response = api.client.post(
        "/api/v1/auth/token", data={"username": username, "password": password}
    )
    return response.status_code


def test_unknown_inactive_and_real_accounts_each_cost_one_verify_with_the_same_parameters(
    api: ApiClient, context: HubContext, verified: list[str]
) -> None:
    with context.db.session() as session:
        tech = session.query(User).filter_by(username="tech").one()
        tech.active = False
    assert _login(api, "operator", "Wrong#Pass1") == 403
    assert _login(api, "nobody", "Wrong#Pass1") == 403
    assert _login(api, "tech", api.accounts["tech"]) == 403  # right password, inactive
    assert len(verified) == 3
    params = [argon2.extract_parameters(h) for h in verified]
    assert params == [params[0]] * 3  # the dummy hash costs what a real one does
    real, unknown, inactive = verified
    assert unknown == inactive != real  # both checked against the dummy, never a real hash


def test_a_dummy_hash_never_matches(context: HubContext) -> None:
    assert security.verify_password(None, "") is False
    assert security.verify_password(None, "Xk9#mQ2vLp") is False


def test_no_more_than_the_configured_hashes_run_at_once_and_the_queue_waits() -> None:
    gate = WorkGate(concurrency=2, queue=14, busy="busy")
    inside = 0
    most = 0
    lock = threading.Lock()
    all_started = threading.Barrier(16)

    def work() -> None:
        nonlocal inside, most
        all_started.wait()
        with gate.slot():
            with lock:
                inside += 1
                most = max(most, inside)
            PasswordHasher(time_cost=1, memory_cost=1024).hash("Xk9#mQ2vLp")
            with lock:
                inside -= 1

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = [pool.submit(work) for _ in range(16)]
    assert [r.exception() for r in results] == [None] * 16  # 2 working + 14 queued: all served
    assert most == 2


def test_beyond_the_queue_a_login_answers_503_with_retry_after(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_HASH_CONCURRENCY", "1")
    monkeypatch.setenv("HUB_HASH_QUEUE", "0")
    get_settings.cache_clear()
    entered, release = threading.Event(), threading.Event()
    hash_ = PasswordHasher.hash

    def blocking(self: PasswordHasher, password: str | bytes, **kw: object) -> str:
        entered.set()
        release.wait(timeout=10)
        return hash_(self, password)

    monkeypatch.setattr(PasswordHasher, "hash", blocking)
    with ThreadPoolExecutor(max_workers=1) as pool:
        holder = pool.submit(security.hash_password, "Xk9#mQ2vLp")
        assert entered.wait(timeout=10)
        response = api.client.post(
            "/api/v1/auth/token", data={"username": "operator", "password": "Wrong#Pass1"}
        )
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "2"
        assert "busy" in response.json()["detail"]
        with pytest.raises(ServiceUnavailable):
            security.verify_password(None, "Xk9#mQ2vLp")
        release.set()
        holder.result(timeout=10)
    assert _login(api, "operator", "Wrong#Pass1") == 403  # a free slot: checked again
