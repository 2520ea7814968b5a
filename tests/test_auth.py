"""Accounts: the seed's password policy, first-login change, roles."""

from __future__ import annotations

import pytest

from hub.errors import InvalidInput
from hub.security import check_password_policy, generate_password
from tests.conftest import ApiClient


@pytest.mark.parametrize(
    "password", ["Short1!", "alllower1!", "ALLUPPER1!", "NoDigits!!", "NoSymbol12"]
)
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(InvalidInput):
        check_password_policy(password)


def test_generated_passwords_meet_the_policy() -> None:
    for _ in range(50):
        check_password_policy(generate_password())


def test_initial_password_must_be_changed_before_work(api: ApiClient) -> None:
    initial = api.accounts["operator"]
    token = api.client.post(
        "/api/v1/auth/token", data={"username": "operator", "password": initial}
    ).json()["access_token"]
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


def test_wrong_password_and_bad_token_are_refused(api: ApiClient) -> None:
    bad = api.client.post("/api/v1/auth/token", data={"username": "operator", "password": "x"})
    assert bad.status_code == 403
    me = api.client.get("/api/v1/auth/me", headers={"Authorization": "Bearer nonsense"})
    assert me.status_code == 403
    assert api.client.get("/api/v1/auth/me").status_code == 401


def test_only_admin_creates_staff(api: ApiClient) -> None:
    body = {"username": "tech2", "full_name": "Tech Two", "role": "technician"}
    assert api.post("/api/v1/auth/staff", as_user="operator", json=body).status_code == 403
    assert api.post("/api/v1/auth/staff", as_user="owner101", json=body).status_code == 403
    created = api.post("/api/v1/auth/staff", as_user="admin", json=body)
    assert created.status_code == 201
    check_password_policy(created.json()["initial_password"])
