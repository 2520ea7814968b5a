"""Every live event kind x every role: the feed shows exactly what REST would.

For each kind, a real action makes the event; then, for each account of the sample site (two
owners among them), the feed's rule must say "send" exactly when that account's REST read of the
same object answers with it. A kind emitted anywhere in `hub/` without a rule fails here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import select

from hub import live_visibility
from hub.context import HubContext
from hub.storage.models import User
from tests.api.conftest import RaiseAlert, Submit, live_feed, receive
from tests.conftest import ApiClient

ACCOUNTS = ("admin", "operator", "tech", "guard", "finance", "service", "owner101", "owner201")
HUB_DIR = Path(__file__).resolve().parents[2] / "hub"

Made = tuple[str, dict[str, Any], Callable[[str], bool]]


def _ok(response: object) -> httpx2.Response:
    assert isinstance(response, httpx2.Response)
    return response


def _listed(api: ApiClient, path: str, object_id: int) -> Callable[[str], bool]:
    """A REST read that answers with a list: may `username` see `object_id` in it?"""

    def reads(username: str) -> bool:
        response = _ok(api.get(path, as_user=username))
        return response.status_code == 200 and object_id in {o["id"] for o in response.json()}

    return reads


def _work_order(api: ApiClient, submit: Submit) -> Made:
    order = submit("owner101").json()

    def reads(username: str) -> bool:
        response = _ok(api.get(f"/api/v1/work-orders/{order['id']}", as_user=username))
        return response.status_code == 200

    return "work_order.opened", order, reads


def _complaint(api: ApiClient) -> Made:
    homes = _ok(api.get("/api/v1/homes", as_user="owner101")).json()
    body = {"home_id": homes[0]["id"], "kind": "suggestion", "description": "多种树 more trees"}
    complaint = _ok(api.post("/api/v1/complaints", as_user="owner101", json=body)).json()

    def reads(username: str) -> bool:
        response = _ok(api.get(f"/api/v1/complaints/{complaint['id']}", as_user=username))
        return response.status_code == 200

    return "complaint.recorded", complaint, reads


def _alert(api: ApiClient, raise_leak: RaiseAlert) -> Made:
    alert = raise_leak()
    return "alert.raised", alert, _listed(api, "/api/v1/alerts", int(alert["id"]))


def _scan(api: ApiClient) -> Made:
    body = {"checkpoint_code": "CP-NORTH-GATE"}
    scan = _ok(api.post("/api/v1/patrol/scans", as_user="guard", json=body)).json()
    return "patrol.scan", scan, _listed(api, "/api/v1/patrol/scans", int(scan["id"]))


@pytest.mark.parametrize(
    "kind", ["work_order.opened", "complaint.recorded", "alert.raised", "patrol.scan"]
)
def test_each_account_gets_an_event_iff_rest_shows_it(
    kind: str, api: ApiClient, context: HubContext, submit: Submit, raise_leak: RaiseAlert
) -> None:
    for username in ACCOUNTS:
        api.token(username)  # log in (and change the initial password) before the event
    makers: dict[str, Callable[[], Made]] = {
        "work_order.opened": lambda: _work_order(api, submit),
        "complaint.recorded": lambda: _complaint(api),
        "alert.raised": lambda: _alert(api, raise_leak),
        "patrol.scan": lambda: _scan(api),
    }
    made_kind, data, rest_reads = makers[kind]()
    assert made_kind == kind
    with context.db.session() as session:
        users = {
            u.username: u for u in session.scalars(select(User).where(User.username.in_(ACCOUNTS)))
        }
        feed = {name: live_visibility.may_see(session, users[name], kind, data) for name in users}
    rest = {name: rest_reads(name) for name in ACCOUNTS}
    assert feed == rest
    assert any(rest.values()) and not all(rest.values())  # the table really separates readers


def test_owner_b_gets_nothing_of_owner_a_over_the_socket(api: ApiClient, submit: Submit) -> None:
    """End to end: owner201's socket sees its own order, never owner101's description."""
    with live_feed(api, api.token("owner201")) as ws:
        assert receive(ws)["kind"] == "snapshot"
        submit("owner101")
        mine = submit("owner201").json()
        message = receive(ws)
    assert (message["kind"], message["data"]["id"]) == ("work_order.opened", mine["id"])


def test_every_emitted_kind_has_a_rule_and_unknown_kinds_reach_nobody(
    api: ApiClient, context: HubContext
) -> None:
    emitted = {
        match
        for path in HUB_DIR.rglob("*.py")
        for match in re.findall(r"events\.emit\(\s*session,\s*\"([a-z_.]+)\"", path.read_text())
    }
    assert emitted and emitted <= set(live_visibility.RULES), emitted - set(live_visibility.RULES)
    with context.db.session() as session:
        admin = session.scalars(select(User).where(User.username == "admin")).one()
        assert not live_visibility.may_see(session, admin, "billing.secret", {"id": 1})
