"""Accounts: the seed's password policy plus guessability, length and history; first-login
change; roles."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from hub.errors import InvalidInput
from hub.security import MAX_PASSWORD_LENGTH, check_password_policy, generate_password
from tests.conftest import ApiClient


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Short1!", "at least 8 characters"),
        ("alllower1!", "upper-case"),
        ("ALLUPPER1!", "lower-case"),
        ("NoDigits!!", "a digit"),
        ("NoSymbol12", "a symbol"),
        ("Zq8 vLm3 kTw9", "a symbol"),  # a space is not a symbol
        ("Password1!", "too easy to guess"),
        ("Qwerty123!", "too easy to guess"),
        ("Xk9#" + "a" * MAX_PASSWORD_LENGTH, f"at most {MAX_PASSWORD_LENGTH}"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        check_password_policy(password)


def test_a_password_built_from_the_account_name_is_refused() -> None:
    check_password_policy("Zhangwei#2026")
    with pytest.raises(InvalidInput, match="too easy to guess"):
        check_password_policy("Zhangwei#2026", user_inputs=("zhangwei", "Zhang Wei"))


def test_generated_passwords_meet_the_policy() -> None:
    for _ in range(50):
        check_password_policy(generate_password())


@pytest.fixture
def argon2_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every argon2 hash and verify the hub makes, by name."""
    calls: list[str] = []
    hash_, verify = PasswordHasher.hash, PasswordHasher.verify

    def counted_hash(self: PasswordHasher, password: str | bytes, **kw: object) -> str:
        calls.append("hash")
        return hash_(self, password, **kw)  # type: ignore[arg-type]

    def counted_verify(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        calls.append("verify")
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "hash", counted_hash)
    monkeypatch.setattr(PasswordHasher, "verify", counted_verify)
    yield calls


def _change(api: ApiClient, headers: dict[str, str], current: str, new: str) -> int:
    response = api.client.post(
        "/api/v1/auth/password",
        json={"current_password": current, "new_password": new},
        headers=headers,
    )
    return response.status_code


def test_an_overlong_password_is_refused_before_any_hashing(
    api: ApiClient, argon2_calls: list[str]
) -> None:
    headers = api.headers("operator")
    huge = "Aa1!" * 50_000
    argon2_calls.clear()
    login = api.client.post("/api/v1/auth/token", data={"username": "operator", "password": huge})
    assert login.status_code == 403
    change = api.client.post(
        "/api/v1/auth/password",
        json={"current_password": api.accounts["operator"], "new_password": huge},
        headers=headers,
    )
    assert change.status_code == 422
    assert f"at most {MAX_PASSWORD_LENGTH}" in change.json()["detail"]
    assert argon2_calls == ["verify"]  # only the current password was checked


def test_the_initial_password_never_and_the_last_three_cannot_come_back(api: ApiClient) -> None:
    initial = api.accounts["operator"]
    token = api.login("operator")["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    first, second, third, fourth, fifth = (f"Kq7#vLm2{n}Tw9x" for n in "abcde")
    assert _change(api, headers, initial, first) == 204
    refused = api.client.post(
        "/api/v1/auth/password",
        json={"current_password": first, "new_password": initial},
        headers=headers,
    )
    assert refused.status_code == 422
    assert "used recently" in refused.json()["detail"]
    assert _change(api, headers, first, second) == 204
    assert _change(api, headers, second, third) == 204
    assert _change(api, headers, third, first) == 422  # 3 changes ago
    assert _change(api, headers, third, fourth) == 204
    assert _change(api, headers, fourth, initial) == 422  # printed: someone else saw it
    assert _change(api, headers, fourth, fifth) == 204
    assert _change(api, headers, fifth, first) == 204  # 4 changes ago: forgotten


def test_initial_password_must_be_changed_before_work(api: ApiClient) -> None:
    initial = api.accounts["operator"]
    token = api.login("operator")["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    me = api.client.get("/api/v1/auth/me", headers=headers).json()
    assert me["must_change_password"] is True
    weak = api.client.post(
        "/api/v1/auth/password",
        json={"current_password": initial, "new_password": "password"},
        headers=headers,
    )
    assert weak.status_code == 422
    assert "upper-case" in weak.json()["detail"]


def test_wrong_password_is_forbidden_and_a_bad_token_unauthenticated(api: ApiClient) -> None:
    bad = api.client.post("/api/v1/auth/token", data={"username": "operator", "password": "x"})
    assert bad.status_code == 403
    me = api.client.get("/api/v1/auth/me", headers={"Authorization": "Bearer nonsense"})
    assert me.status_code == 401
    assert me.headers["WWW-Authenticate"] == "Bearer"
    assert api.client.get("/api/v1/auth/me").status_code == 401


def test_only_admin_creates_staff(api: ApiClient) -> None:
    body = {"username": "tech2", "full_name": "Tech Two", "role": "technician"}
    assert api.post("/api/v1/auth/staff", as_user="operator", json=body).status_code == 403
    assert api.post("/api/v1/auth/staff", as_user="owner101", json=body).status_code == 403
    created = api.post("/api/v1/auth/staff", as_user="admin", json=body)
    assert created.status_code == 201
    check_password_policy(created.json()["initial_password"])
