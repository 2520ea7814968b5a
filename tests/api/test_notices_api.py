"""Notices: staff publish site-wide or to one building; owners see only theirs."""

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
    assert site_wide.json()["building_id"] is None
    b2 = api.post(
        NOTICES,
        as_user="operator",
        json={
            "title": "电梯维保 Lift service",
            "body": "2号楼 B2",
            "building_id": _building_id(context, "B2"),
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


def test_only_staff_who_handle_notices_publish_them(api: ApiClient) -> None:
    body = {"title": "t", "body": "b"}
    for user in ("owner101", "tech", "guard", "finance"):
        assert api.post(NOTICES, as_user=user, json=body).status_code == 403, user
    for user in ("tech", "guard", "finance"):
        assert api.get(NOTICES, as_user=user).status_code == 403, user
    assert api.get(NOTICES, as_user="owner101").json() == []


def test_bad_notices_are_refused_with_the_reason(api: ApiClient) -> None:
    blank = api.post(NOTICES, as_user="admin", json={"title": " ", "body": "b"})
    assert blank.status_code == 422
    assert "title" in blank.json()["detail"]
    nowhere = api.post(
        NOTICES, as_user="admin", json={"title": "t", "body": "b", "building_id": 999}
    )
    assert nowhere.status_code == 422
    assert "no building 999" in nowhere.json()["detail"]
