"""Households: an owner keeps their own home's family, tenants, emergency contacts and cars up to
date; customer service records them for any home (reads audited); admins read them masked;
another owner's home is not found."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.storage.models import AuditEntry, Building, Home
from tests.conftest import ApiClient


def _home(context: HubContext, label: str) -> str:
    building, code = label.split("/")
    with context.db.session() as session:
        home_id = session.scalars(
            select(Home.id).join(Building).where(Building.code == building, Home.code == code)
        ).one()
    return f"/api/v1/homes/{home_id}/household"


SPOUSE = {
    "kind": "family",
    "name": "刘洋 Liu Yang",
    "relation": "配偶 spouse",
    "phone": "13600001234",
}


def test_an_owner_fills_in_their_household(api: ApiClient, context: HubContext) -> None:
    url = _home(context, "B1/101")
    added = api.post(f"{url}/members", as_user="owner101", json=SPOUSE)
    assert added.status_code == 201, added.text
    contact = {"kind": "emergency_contact", "name": "张强 Zhang Qiang", "phone": "13512345678"}
    assert api.post(f"{url}/members", as_user="owner101", json=contact).status_code == 201
    car = api.post(
        f"{url}/vehicles",
        as_user="owner101",
        json={"plate": "沪a·12345", "parking_space": "B1-023"},
    )
    assert car.status_code == 201, car.text
    assert car.json()["plate"] == "沪A12345"

    shown: Any = api.get(url, as_user="owner101").json()
    assert shown["home"] == "B1/101"
    assert [o["name"] for o in shown["owners"]] == ["张伟 Zhang Wei"]
    assert [(m["kind"], m["name"], m["phone"]) for m in shown["members"]] == [
        ("family", "刘洋 Liu Yang", "13600001234"),
        ("emergency_contact", "张强 Zhang Qiang", "13512345678"),
    ]
    assert [(v["plate"], v["parking_space"]) for v in shown["vehicles"]] == [("沪A12345", "B1-023")]


def test_a_tenant_moves_in_and_out(api: ApiClient, context: HubContext, clock: FakeClock) -> None:
    url = _home(context, "B1/102")
    tenant = {"kind": "tenant", "name": "陈晨 Chen Chen", "moved_in_on": "2026-03-01"}
    added = api.post(f"{url}/members", as_user="service", json=tenant)
    assert added.status_code == 201, added.text
    assert added.json()["living_here"] is True
    member = f"{url}/members/{added.json()['id']}"
    leaving = {**tenant, "moved_out_on": "2026-11-30"}
    assert api.put(member, as_user="service", json=leaving).json()["living_here"] is True
    clock.advance(timedelta(days=20))  # 2026-11-30 10:00 in Shanghai: the move-out day
    assert api.get(url, as_user="owner102").json()["members"][0]["living_here"] is False
    assert api.delete(member, as_user="owner102").status_code == 204
    assert api.get(url, as_user="owner102").json()["members"] == []


def test_bad_household_entries_are_refused_with_the_reason(
    api: ApiClient, context: HubContext
) -> None:
    url = _home(context, "B1/101")
    cases = [
        ({"kind": "tenant", "name": "无日期 No date"}, "household_dates"),
        ({"kind": "emergency_contact", "name": "无电话 No phone"}, "household_phone"),
        ({"kind": "family", "name": "x", "phone": "call me"}, "household_phone"),
        (
            {
                "kind": "tenant",
                "name": "x",
                "moved_in_on": "2026-05-01",
                "moved_out_on": "2026-04-01",
            },
            "household_dates",
        ),
    ]
    for body, code in cases:
        refused = api.post(f"{url}/members", as_user="owner101", json=body)
        assert (refused.status_code, refused.json()["code"]) == (422, code), body
    bad = api.post(f"{url}/vehicles", as_user="owner101", json={"plate": "ABC-1234"})
    assert (bad.status_code, bad.json()["code"]) == (422, "household_plate")
    plate = {"plate": "粤BD12345"}
    assert api.post(f"{url}/vehicles", as_user="owner101", json=plate).status_code == 201
    again = api.post(f"{url}/vehicles", as_user="service", json=plate)
    assert (again.status_code, again.json()["code"]) == (409, "household_plate_taken")


def test_another_owners_household_is_not_found(api: ApiClient, context: HubContext) -> None:
    theirs = _home(context, "B1/102")
    added = api.post(f"{theirs}/members", as_user="owner102", json=SPOUSE).json()
    assert api.get(theirs, as_user="owner101").status_code == 404
    assert api.post(f"{theirs}/members", as_user="owner101", json=SPOUSE).status_code == 404
    member = f"{theirs}/members/{added['id']}"
    assert api.delete(member, as_user="owner101").status_code == 404
    mine = _home(context, "B1/101")
    wrong_home = f"{mine}/members/{added['id']}"  # a member id of another home
    assert api.delete(wrong_home, as_user="owner101").status_code == 404
    assert api.get(theirs, as_user="owner102").json()["members"][0]["name"] == "刘洋 Liu Yang"


def test_staff_reads_are_audited_and_admins_see_phones_masked(
    api: ApiClient, context: HubContext
) -> None:
    url = _home(context, "B1/101")
    api.post(f"{url}/members", as_user="owner101", json=SPOUSE)
    assert api.get(url, as_user="service").json()["members"][0]["phone"] == "13600001234"
    admin: Any = api.get(url, as_user="admin").json()
    assert admin["members"][0]["phone"] == "136****1234"
    assert admin["owners"][0]["phone"] == "138****5678"
    for role in ("operator", "tech", "guard", "finance"):
        assert api.get(url, as_user=role).status_code == 403, role
    assert api.post(f"{url}/members", as_user="admin", json=SPOUSE).status_code == 403
    with context.db.session() as session:
        actions = session.execute(
            select(AuditEntry.action, AuditEntry.target).where(
                AuditEntry.target.like("household:%")
            )
        ).all()
    assert sorted(a for a, _ in actions) == ["pii_read", "read", "read"]
