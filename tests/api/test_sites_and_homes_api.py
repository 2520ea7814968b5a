"""Estates, buildings and homes with their ids, for the staff who address, place and find."""

from __future__ import annotations

from typing import Any

from hub.services.site import LoadResult
from tests.conftest import ApiClient


def _ok(api: ApiClient, path: str, user: str) -> Any:
    response = api.get(path, as_user=user)
    assert response.status_code == 200, response.text
    return response.json()


def test_one_estate_with_its_buildings_and_their_ids(api: ApiClient, site: LoadResult) -> None:
    found = _ok(api, f"/api/v1/sites/{site.site_id}", "service")
    assert (found["id"], found["code"]) == (site.site_id, "green-garden")
    assert [(b["code"], b["units"]) for b in found["buildings"]] == [
        ("B1", ["1单元", "2单元"]),
        ("B2", ["1单元"]),
        ("B3", ["1单元"]),
    ]
    assert found == _ok(api, "/api/v1/sites", "operator")[0]
    assert found == _ok(api, "/api/v1/sites", "tech")[0]  # the ledger's estate filter
    for role in ("guard", "finance", "owner101"):
        assert api.get("/api/v1/sites", as_user=role).status_code == 403, role
    missing = api.get("/api/v1/sites/999999", as_user="admin")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_homes_by_estate_and_building_a_page_at_a_time(api: ApiClient, site: LoadResult) -> None:
    [b1, b2, b3] = _ok(api, f"/api/v1/sites/{site.site_id}", "admin")["buildings"]
    every = _ok(api, f"/api/v1/homes?site_id={site.site_id}", "admin")
    assert [(h["label"], h["building_id"], h["site_id"], h["unit"]) for h in every] == [
        ("B1/101", b1["id"], site.site_id, "1单元"),
        ("B1/102", b1["id"], site.site_id, "2单元"),
        ("B2/201", b2["id"], site.site_id, "1单元"),
        ("B3/1201", b3["id"], site.site_id, "1单元"),
        ("B3/S01", b3["id"], site.site_id, ""),
    ]
    in_b2 = _ok(api, f"/api/v1/homes?building_id={b2['id']}", "service")
    assert [h["label"] for h in in_b2] == ["B2/201"]
    assert all(h["owners"] for h in in_b2), "customer service sees the owners' names"
    pages = [
        _ok(api, f"/api/v1/homes?site_id={site.site_id}&limit=2&offset={offset}", "admin")
        for offset in (0, 2, 4, 6)
    ]
    assert [[h["label"] for h in page] for page in pages] == [
        ["B1/101", "B1/102"],
        ["B2/201", "B3/1201"],
        ["B3/S01"],
        [],
    ]
    assert _ok(api, "/api/v1/homes?site_id=999999", "admin") == []
    words = _ok(api, f"/api/v1/homes?building_id={b1['id']}&q=102", "admin")
    assert [h["label"] for h in words] == ["B1/102"]


def test_operators_get_homes_without_owners_names(api: ApiClient, site: LoadResult) -> None:
    found = _ok(api, f"/api/v1/homes?site_id={site.site_id}", "operator")
    assert len(found) == 5 and all(h["owners"] == [] for h in found)


def test_owners_get_only_their_own_homes_whatever_the_filters(
    api: ApiClient, site: LoadResult
) -> None:
    b2 = _ok(api, f"/api/v1/sites/{site.site_id}", "admin")["buildings"][1]
    own = _ok(api, f"/api/v1/homes?building_id={b2['id']}", "owner101")
    assert [h["label"] for h in own] == ["B1/101"]


def test_wrong_roles_and_bad_pages_are_refused(api: ApiClient, site: LoadResult) -> None:
    for user in ("guard", "finance", "owner101"):
        assert api.get(f"/api/v1/sites/{site.site_id}", as_user=user).status_code == 403, user
    for user in ("tech", "guard", "finance"):
        assert api.get("/api/v1/homes", as_user=user).status_code == 403, user
    for query in ("limit=0", "limit=501", "offset=-1", "site_id=0", "building_id=abc"):
        response = api.get(f"/api/v1/homes?{query}", as_user="admin")
        assert response.status_code == 422, query
