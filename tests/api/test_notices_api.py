"""Notices: customer service and admins publish site-wide or to chosen buildings, pinned or not;
owners see only theirs and their reading is counted."""

from __future__ import annotations

from sqlalchemy import select

from hub.context import HubContext
from hub.storage.models import Building
from tests.conftest import ApiClient

NOTICES = "/api/v1/notices"


def _building_id(context: HubContext, code: str) -> int:
    with context.db.session() as session:
        return int(session.scalars(select(Building.id).where(Building.code == code)).one())


def test_owners_see_site_wide_notices_and_their_buildings_only(
    api: ApiClient, context: HubContext
) -> None:
    site_wide = api.post(
        NOTICES, as_user="service", json={"title": "停水通知 Water off", "body": "周二 Tue 9-12"}
    )
    assert site_wide.status_code == 201, site_wide.text
    assert (site_wide.json()["buildings"], site_wide.json()["building"]) == ([], None)
    b2 = api.post(
        NOTICES,
        as_user="admin",
        json={
            "title": "电梯维保 Lift service",
            "body": "2号楼 B2",
            "building_ids": [_building_id(context, "B2")],
        },
    )
    assert b2.status_code == 201, b2.text
    assert b2.json()["building"] == "2号楼 Building 2"
    site_id, b2_id = site_wide.json()["id"], b2.json()["id"]

    assert [n["id"] for n in api.get(NOTICES, as_user="owner201").json()] == [b2_id, site_id]
    assert [n["id"] for n in api.get(NOTICES, as_user="owner101").json()] == [site_id]
    assert [n["id"] for n in api.get(NOTICES, as_user="admin").json()] == [b2_id, site_id]
    assert api.get(f"{NOTICES}/{b2_id}", as_user="owner101").status_code == 404
    assert (
        api.get(f"{NOTICES}/{b2_id}", as_user="owner201").json()["title"] == "电梯维保 Lift service"
    )
    assert api.get(f"{NOTICES}/{site_id}", as_user="owner102").status_code == 200


def test_a_notice_for_several_buildings_pinned_above_the_rest(
    api: ApiClient, context: HubContext
) -> None:
    both = [_building_id(context, "B2"), _building_id(context, "B1")]
    pinned = api.post(
        NOTICES,
        as_user="service",
        json={
            "title": "消防演练 Fire drill",
            "body": "周五 Fri",
            "building_ids": both,
            "pinned": True,
        },
    )
    assert pinned.status_code == 201, pinned.text
    assert [b["name"] for b in pinned.json()["buildings"]] == [
        "1号楼 Building 1",
        "2号楼 Building 2",
    ]
    later = api.post(NOTICES, as_user="service", json={"title": "新闻 News", "body": "..."})
    for owner in ("owner101", "owner201"):
        seen = api.get(NOTICES, as_user=owner).json()
        assert [n["id"] for n in seen] == [pinned.json()["id"], later.json()["id"]], owner
        assert seen[0]["pinned"] and seen[0]["read_count"] is None


def test_staff_see_how_many_owners_read_a_notice(api: ApiClient) -> None:
    notice = api.post(NOTICES, as_user="service", json={"title": "t", "body": "b"}).json()
    assert notice["read_count"] == 0
    read = f"{NOTICES}/{notice['id']}/read"
    assert api.post(read, as_user="owner101").status_code == 204
    assert api.post(read, as_user="owner101").status_code == 204  # counted once
    assert api.post(read, as_user="owner201").status_code == 204
    assert api.get(f"{NOTICES}/{notice['id']}", as_user="admin").json()["read_count"] == 2
    assert api.post(read, as_user="service").status_code == 403


def test_an_owner_cannot_read_another_buildings_notice(api: ApiClient, context: HubContext) -> None:
    b2 = {"title": "t", "body": "b", "building_ids": [_building_id(context, "B2")]}
    notice = api.post(NOTICES, as_user="admin", json=b2).json()
    assert api.post(f"{NOTICES}/{notice['id']}/read", as_user="owner101").status_code == 404
    assert api.get(NOTICES, as_user="admin").json()[0]["read_count"] == 0


def test_only_staff_who_handle_notices_publish_them(api: ApiClient) -> None:
    body = {"title": "t", "body": "b"}
    for user in ("owner101", "tech", "guard", "finance", "operator"):
        assert api.post(NOTICES, as_user=user, json=body).status_code == 403, user
    for user in ("tech", "guard", "finance", "operator"):
        assert api.get(NOTICES, as_user=user).status_code == 403, user
    assert api.get(NOTICES, as_user="owner101").json() == []
    sites = api.get(f"{NOTICES}/audiences", as_user="service").json()
    assert [b["code"] for b in sites[0]["buildings"]] == ["B1", "B2", "B3"]


def test_bad_notices_are_refused_with_the_reason(api: ApiClient) -> None:
    blank = api.post(NOTICES, as_user="admin", json={"title": " ", "body": "b"})
    assert blank.status_code == 422
    assert "title" in blank.json()["detail"]
    nowhere = api.post(
        NOTICES, as_user="admin", json={"title": "t", "body": "b", "building_ids": [1, 999]}
    )
    assert nowhere.status_code == 422
    assert "no building 999" in nowhere.json()["detail"]
