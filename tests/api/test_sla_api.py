"""SLAs through the API: the admin's SLA file (read, check, save, refused with codes), the
technician's contact and waiting-for-the-owner steps, and the clocks every order carries,
escalations reaching the live feed of those who may read the order."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services import escalation
from tests.api.conftest import Submit, live_feed, receive
from tests.conftest import ApiClient

FILE = "/api/v1/sla-file"
WO = "/api/v1/work-orders"


def answer(response: object, status: int = 200) -> Any:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    return response.json()


def put(api: ApiClient, text: str, user: str = "admin") -> object:
    return api.client.put(FILE, json={"text": text}, headers=api.headers(user))


def staff_id(api: ApiClient, username: str) -> int:
    staff = answer(api.get("/api/v1/staff", as_user="service"))
    return int(next(u["id"] for u in staff if u["username"] == username))


def assigned(api: ApiClient, submit: Submit) -> int:
    order_id = int(submit().json()["id"])
    answer(api.post(f"{WO}/{order_id}/accept", as_user="service"))
    body = {"technician_id": staff_id(api, "tech")}
    answer(api.post(f"{WO}/{order_id}/assign", as_user="service", json=body))
    return order_id


def test_admin_reads_checks_and_saves_the_sla_file(api: ApiClient, context: HubContext) -> None:
    path = context.settings.sla_file
    current = answer(api.get(FILE, as_user="admin"))
    assert current == {"name": "sla.yaml", "text": path.read_text(encoding="utf-8")}
    checked = answer(api.post(f"{FILE}/check", as_user="admin", json={"text": current["text"]}))
    assert checked == {"ok": True, "policies": 3, "problems": []}
    text = current["text"].replace("accept: 30m", "accept: 20m", 1)
    assert answer(put(api, text)) == {"ok": True, "policies": 3, "problems": []}
    assert path.read_text(encoding="utf-8") == text
    audit = answer(api.get("/api/v1/audit", as_user="admin", params={"action": "sla_saved"}))
    [entry] = audit["items"]
    assert (entry["username"], entry["detail"]) == (
        "admin",
        f"3 policies, {len(text.encode())} bytes",
    )


def test_a_bad_sla_file_is_refused_with_its_codes(api: ApiClient, context: HubContext) -> None:
    path = context.settings.sla_file
    before = path.read_text(encoding="utf-8")
    bad = before.replace("accept: 30m", "accept: soon", 1).replace(
        'category: "*"\n    priority: "*"', 'category: "*"\n    priority: low', 1
    )
    checked = answer(api.post(f"{FILE}/check", as_user="admin", json={"text": bad}))
    assert checked["ok"] is False and checked["policies"] == 0
    assert [(p["code"], p["where"]) for p in checked["problems"]] == [
        ("sla_field", "policies.0.limits.accept")
    ]
    assert "'soon' is not a duration" in checked["problems"][0]["message"]
    no_default = before.replace(
        'category: "*"\n    priority: "*"', 'category: "*"\n    priority: low'
    )
    refused = answer(put(api, no_default), 422)
    assert refused["code"] == "sla_invalid"
    assert "(sla_no_default)" in refused["detail"]
    assert path.read_text(encoding="utf-8") == before


def test_only_admins_touch_the_sla_file(api: ApiClient, context: HubContext) -> None:
    before = context.settings.sla_file.read_text(encoding="utf-8")
    for user in ("operator", "service", "tech", "finance", "guard", "owner101"):
        answer(api.get(FILE, as_user=user), 403)
        answer(api.post(f"{FILE}/check", as_user=user, json={"text": before}), 403)
        answer(put(api, "version: 1\n", user), 403)
    assert context.settings.sla_file.read_text(encoding="utf-8") == before


def test_the_technician_contacts_the_owner_and_waits_for_them(
    api: ApiClient, submit: Submit, clock: FakeClock
) -> None:
    order_id = assigned(api, submit)
    clocks = {
        c["name"]: c for c in answer(api.get(f"{WO}/{order_id}", as_user="service"))["clocks"]
    }
    assert clocks["contact"]["limit_minutes"] == 30 and clocks["contact"]["met_at"] is None
    clock.advance(timedelta(minutes=5))
    contacted = answer(
        api.post(f"{WO}/{order_id}/contact", as_user="tech", json={"note": "约下午两点 2 pm"})
    )
    assert contacted["contacted_at"] is not None
    assert contacted["clocks"][1]["met_at"] == contacted["contacted_at"]
    answer(api.post(f"{WO}/{order_id}/contact", as_user="tech", json={"note": "again"}), 409)
    paused = answer(api.post(f"{WO}/{order_id}/pause", as_user="tech", json={"note": "不在家"}))
    assert paused["paused"] is True and paused["due_at"] is None
    answer(api.post(f"{WO}/{order_id}/pause", as_user="tech", json={}), 409)
    clock.advance(timedelta(minutes=40))
    resumed = answer(api.post(f"{WO}/{order_id}/resume", as_user="tech"))
    assert (resumed["paused"], resumed["paused_seconds"]) == (False, 40 * 60)
    answer(api.post(f"{WO}/{order_id}/resume", as_user="tech"), 409)
    history = answer(api.get(f"{WO}/{order_id}/history", as_user="owner101"))
    assert [h["note"] for h in history[-3:]] == [
        "已联系业主 Contacted the owner: 约下午两点 2 pm",
        "等待业主，计时暂停 Waiting for the owner, clocks paused: 不在家",
        "恢复计时，暂停 40 分钟 Clocks running again after 40 min",
    ]


def test_contact_and_pause_refuse_other_roles_and_technicians(
    api: ApiClient, submit: Submit
) -> None:
    created = answer(
        api.post(
            "/api/v1/auth/staff",
            as_user="admin",
            json={"username": "tech2", "full_name": "Tech Two", "role": "technician"},
        ),
        201,
    )
    api.accounts["tech2"] = created["initial_password"]
    order_id = assigned(api, submit)
    note = {"note": "hello"}
    for user in ("service", "operator", "admin", "owner101", "owner201", "guard"):
        for step in ("contact", "pause"):
            answer(api.post(f"{WO}/{order_id}/{step}", as_user=user, json=note), 403)
        answer(api.post(f"{WO}/{order_id}/resume", as_user=user), 403)
    for step in ("contact", "pause"):  # another technician's order does not exist for them
        answer(api.post(f"{WO}/{order_id}/{step}", as_user="tech2", json=note), 404)
    answer(api.post(f"{WO}/{order_id}/contact", as_user="tech", json=note))
    body = {"technician_id": staff_id(api, "tech2")}
    handed = answer(api.post(f"{WO}/{order_id}/assign", as_user="service", json=body))
    assert handed["contacted_at"] is None  # the new technician has to call in their turn
    answer(api.post(f"{WO}/{order_id}/contact", as_user="tech2", json=note))
    unassigned = submit().json()["id"]
    answer(api.post(f"{WO}/{unassigned}/contact", as_user="tech", json=note), 404)


def test_an_escalation_reaches_the_owners_live_feed_not_another_owners(
    api: ApiClient, submit: Submit, context: HubContext, clock: FakeClock
) -> None:
    order_id = submit().json()["id"]
    clock.advance(timedelta(minutes=30))
    with (
        live_feed(api, api.token("owner101")) as mine,
        live_feed(api, api.token("owner201")) as other,
    ):
        assert receive(mine)["kind"] == receive(other)["kind"] == "snapshot"
        with context.db.session() as session:
            assert len(escalation.check(session, now=clock.now())) == 1
        message = receive(mine)
        assert (message["kind"], message["data"]["id"]) == ("work_order.updated", order_id)
        accept = message["data"]["clocks"][0]
        assert (accept["breached"], accept["escalation_level"]) == (True, 1)
        theirs = submit("owner201").json()["id"]  # owner201 hears their own order next, not #1
        assert (receive(other)["data"]["id"]) == theirs
    shown = answer(api.get(f"{WO}/{order_id}", as_user="owner101"))
    assert shown["clocks"][0]["escalation_level"] == 1


def test_sla_path_is_each_tests_own_copy(context: HubContext, hub_env: Path) -> None:
    assert context.settings.sla_file.is_relative_to(hub_env.parent)
