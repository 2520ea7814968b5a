"""Staff accounts by API: only admins manage them, every change is audited, nobody locks the
estate out of its own administration."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from hub.cli import app as cli
from hub.context import HubContext
from hub.domain import Role
from hub.errors import Conflict
from hub.services import accounts
from hub.storage.models import AuditEntry, User
from tests.conftest import ApiClient

ACCOUNTS = "/api/v1/accounts"


def _id(context: HubContext, username: str) -> int:
    with context.db.session() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
    assert user_id is not None
    return user_id


def _audit(context: HubContext, action: str) -> list[tuple[int | None, str, str]]:
    with context.db.session() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        return [(row.user_id, row.target, row.detail) for row in rows]


def _call(api: ApiClient, method: str, path: str, as_user: str, **kwargs: Any) -> httpx2.Response:
    response = api.client.request(method, path, headers=api.headers(as_user), **kwargs)
    assert isinstance(response, httpx2.Response)
    return response


def _login(api: ApiClient, username: str, password: str) -> httpx2.Response:
    response = api.client.post(
        "/api/v1/auth/token", data={"username": username, "password": password}
    )
    assert isinstance(response, httpx2.Response)
    return response


@pytest.mark.parametrize("who", ["operator", "finance", "owner101"])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "", None),
        ("POST", "/{id}/deactivate", None),
        ("POST", "/{id}/activate", None),
        ("POST", "/{id}/reset-password", None),
        ("PATCH", "/{id}", {"role": "admin"}),
    ],
)
def test_only_admins_manage_accounts(
    api: ApiClient,
    context: HubContext,
    who: str,
    method: str,
    path: str,
    body: dict[str, str] | None,
) -> None:
    target = _id(context, "tech")
    url = ACCOUNTS + path.format(id=target)
    response = _call(api, method, url, who, json=body)
    assert response.status_code == 403
    with context.db.session() as session:
        tech = session.get(User, target)
        assert tech is not None and tech.active and tech.role is Role.TECHNICIAN


def test_list_shows_staff_with_inactive_but_no_owners(api: ApiClient, context: HubContext) -> None:
    tech = _id(context, "tech")
    assert _call(api, "POST", f"{ACCOUNTS}/{tech}/deactivate", "admin").status_code == 200
    listed = {a["username"]: a for a in _call(api, "GET", ACCOUNTS, "admin").json()}
    assert set(listed) == {"admin", "operator", "tech", "guard", "finance", "service"}
    assert listed["tech"]["active"] is False and listed["operator"]["active"] is True
    inactive = _call(api, "GET", ACCOUNTS, "admin", params={"active": "false"}).json()
    assert [a["username"] for a in inactive] == ["tech"]


def test_a_deactivated_accounts_token_is_refused_until_reactivated(
    api: ApiClient, context: HubContext
) -> None:
    tech = _id(context, "tech")
    token_headers = api.headers("tech")
    assert api.client.get("/api/v1/work-orders", headers=token_headers).status_code == 200
    off = _call(api, "POST", f"{ACCOUNTS}/{tech}/deactivate", "admin")
    assert off.status_code == 200 and off.json()["active"] is False
    assert api.client.get("/api/v1/work-orders", headers=token_headers).status_code == 401
    assert _login(api, "tech", api.accounts["tech"]).status_code == 403
    on = _call(api, "POST", f"{ACCOUNTS}/{tech}/activate", "admin")
    assert on.status_code == 200 and on.json()["active"] is True
    assert _login(api, "tech", api.accounts["tech"]).status_code == 200
    admin = _id(context, "admin")
    assert _audit(context, "deactivate_user") == [(admin, f"user:{tech}", "")]
    assert _audit(context, "activate_user") == [(admin, f"user:{tech}", "")]


def test_a_reset_password_works_once_shown_and_must_be_changed(
    api: ApiClient, context: HubContext
) -> None:
    operator = _id(context, "operator")
    old = api.accounts["operator"]
    api.token("operator")
    reset = _call(api, "POST", f"{ACCOUNTS}/{operator}/reset-password", "admin")
    assert reset.status_code == 200
    initial = reset.json()["initial_password"]
    assert _login(api, "operator", old).status_code == 403
    login = _login(api, "operator", initial)
    assert login.status_code == 200 and login.json()["must_change_password"] is True
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    refused = api.client.get("/api/v1/alerts", headers=headers)
    assert refused.status_code == 403 and "change your initial password" in refused.text
    listed = {a["username"]: a for a in _call(api, "GET", ACCOUNTS, "admin").json()}
    assert listed["operator"]["must_change_password"] is True
    assert initial not in str(_audit(context, "reset_password"))
    assert _audit(context, "reset_password") == [(_id(context, "admin"), f"user:{operator}", "")]


def test_role_change_moves_access_and_is_audited(api: ApiClient, context: HubContext) -> None:
    guard = _id(context, "guard")
    assert _call(api, "GET", "/api/v1/work-orders", "guard").status_code == 403
    changed = _call(api, "PATCH", f"{ACCOUNTS}/{guard}", "admin", json={"role": "technician"})
    assert changed.status_code == 200 and changed.json()["role"] == "technician"
    assert _call(api, "GET", "/api/v1/work-orders", "guard").status_code == 200
    assert _audit(context, "change_role") == [
        (_id(context, "admin"), f"user:{guard}", "guard -> technician")
    ]


def test_no_role_change_to_or_from_owner(api: ApiClient, context: HubContext) -> None:
    guard, owner = _id(context, "guard"), _id(context, "owner101")
    to_owner = _call(api, "PATCH", f"{ACCOUNTS}/{guard}", "admin", json={"role": "owner"})
    assert to_owner.status_code == 422
    from_owner = _call(api, "PATCH", f"{ACCOUNTS}/{owner}", "admin", json={"role": "operator"})
    assert from_owner.status_code == 404
    owner_off = _call(api, "POST", f"{ACCOUNTS}/{owner}/deactivate", "admin")
    assert owner_off.status_code == 404
    assert _audit(context, "change_role") == []


def test_an_admin_cannot_deactivate_or_demote_themselves(
    api: ApiClient, context: HubContext
) -> None:
    admin = _id(context, "admin")
    assert _call(api, "POST", f"{ACCOUNTS}/{admin}/deactivate", "admin").status_code == 403
    demote = _call(api, "PATCH", f"{ACCOUNTS}/{admin}", "admin", json={"role": "operator"})
    assert demote.status_code == 403
    me = _call(api, "GET", "/api/v1/auth/me", "admin").json()
    assert me["role"] == "admin"


def test_another_admin_can_be_demoted_but_never_the_last_active_one(
    api: ApiClient, context: HubContext
) -> None:
    operator, admin = _id(context, "operator"), _id(context, "admin")
    promoted = _call(api, "PATCH", f"{ACCOUNTS}/{operator}", "admin", json={"role": "admin"})
    assert promoted.status_code == 200
    # Two active admins: the second may take the first out of the role.
    demoted = _call(api, "PATCH", f"{ACCOUNTS}/{admin}", "operator", json={"role": "guard"})
    assert demoted.status_code == 200
    # The one admin left: the service refuses to remove them, whoever asks (here the former
    # admin's stale object, as a concurrent request that read before the demotion would).
    with context.db.session() as session:
        former = session.get(User, admin)
        assert former is not None
        with pytest.raises(Conflict, match="last active admin"):
            accounts.deactivate(session, operator, admin=former, now=context.clock.now())
        with pytest.raises(Conflict, match="last active admin"):
            accounts.change_role(
                session, operator, Role.GUARD, admin=former, now=context.clock.now()
            )


def test_the_command_line_reset_is_audited_and_ends_the_accounts_logins(
    api: ApiClient, context: HubContext
) -> None:
    me = {"Authorization": f"Bearer {api.token('guard')}"}
    assert api.client.get("/api/v1/auth/me", headers=me).status_code == 200
    result = CliRunner().invoke(cli, ["users", "reset-password", "guard"])
    assert result.exit_code == 0, result.output
    assert api.client.get("/api/v1/auth/me", headers=me).status_code == 401
    assert _audit(context, "reset_password") == [
        (None, f"user:{_id(context, 'guard')}", "command line")
    ]
