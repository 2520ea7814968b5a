"""Maintenance over the API: admins keep plans, a technician sees and does only their own
tasks (checklist, item photo, results), a failed item's work order names the asset, and the
wrong role or another estate's asset is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx2
from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import Role
from hub.services.site import LoadResult
from hub.storage.models import User
from tests.api.conftest import JPEG
from tests.conftest import ApiClient
from tests.support.maintenance import (
    asset_id,
    dispatcher_pass,
    on_duty_all_day,
    without_sample_plans,
)
from tests.support.sites import load_other_site

PM = "/api/v1/maintenance"
CHECKLIST = [
    {"label": "门锁回路 Door lock circuit"},
    {"label": "制动器间隙 Brake gap", "kind": "measure", "unit": "mm", "min": "0.5", "max": "1.0"},
    {"label": "机房 Machine room", "photo_required": True},
]


def _ok(response: object, status: int = 200) -> Any:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    return response.json() if status != 204 else None


def _refused(response: object, status: int, code: str | None = None) -> None:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["code"] == code


def _plan(site: LoadResult, asset: int, **extra: object) -> dict[str, object]:
    return {
        "site_id": site.site_id,
        "code": "EL-15D",
        "name": "电梯半月保养 Elevator fortnightly",
        "asset_id": asset,
        "every": 15,
        "unit": "day",
        "anchor": "2027-01-01",
        "category": "elevator",
        "checklist": CHECKLIST,
        **extra,
    }


def _task_of_tech(
    api: ApiClient, context: HubContext, site: LoadResult, clock: FakeClock
) -> dict[str, Any]:
    without_sample_plans(context)
    on_duty_all_day(context, site, "elevator", "tech")
    _ok(
        api.post(
            f"{PM}/plans", as_user="admin", json=_plan(site, asset_id(context, site, "EL-B1-1"))
        ),
        201,
    )
    clock.set(datetime(2027, 1, 1, 2, 0, tzinfo=UTC))
    dispatcher_pass(context, clock)
    [task] = _ok(api.get(f"{PM}/tasks", as_user="tech"))
    return task  # type: ignore[no-any-return]


def test_admins_keep_plans_others_may_not(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    without_sample_plans(context)
    el1 = asset_id(context, site, "EL-B1-1")
    _refused(api.post(f"{PM}/plans", as_user="operator", json=_plan(site, el1)), 403)
    _refused(api.get(f"{PM}/plans", as_user="tech"), 403)
    created = _ok(api.post(f"{PM}/plans", as_user="admin", json=_plan(site, el1)), 201)
    assert created["checklist"][1] == {
        "label": "制动器间隙 Brake gap",
        "kind": "measure",
        "unit": "mm",
        "min": "0.5",
        "max": "1.0",
        "photo_required": False,
    }
    assert [p["code"] for p in _ok(api.get(f"{PM}/plans", as_user="operator"))] == ["EL-15D"]
    again = api.post(f"{PM}/plans", as_user="admin", json=_plan(site, el1))
    _refused(again, 409, "pm_code_taken")
    edited = _plan(site, el1, window_days=5, active=False)
    del edited["site_id"]
    changed = _ok(api.put(f"{PM}/plans/{created['id']}", as_user="admin", json=edited))
    assert (changed["window_days"], changed["active"]) == (5, False)
    both = _plan(site, el1, code="X", asset_class="elevator")
    _refused(api.post(f"{PM}/plans", as_user="admin", json=both), 422, "pm_target")
    _ok(api.delete(f"{PM}/plans/{created['id']}", as_user="admin"), 204)


def test_a_plan_cannot_name_another_estates_asset(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    other = load_other_site(context)
    foreign = asset_id(context, other, "EL-B1-1")
    refused = api.post(f"{PM}/plans", as_user="admin", json=_plan(site, foreign))
    _refused(refused, 422, "pm_asset_other_estate")


def test_the_technician_does_their_task_and_a_failed_item_opens_a_work_order(
    api: ApiClient, context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    task = _task_of_tech(api, context, site, clock)
    url = f"{PM}/tasks/{task['id']}"
    detail = _ok(api.get(url, as_user="tech"))
    assert [(i["position"], i["kind"], i["min"], i["max"]) for i in detail["items"]] == [
        (1, "pass_fail", None, None),
        (2, "measure", "0.5", "1"),
        (3, "pass_fail", None, None),
    ]
    assert (detail["status"], detail["overdue"], detail["asset_code"]) == (
        "scheduled",
        False,
        "EL-B1-1",
    )
    results = {
        "results": [
            {"position": 1, "passed": True},
            {"position": 2, "value": "1.4", "note": "偏大 too wide"},
            {"position": 3, "passed": True},
        ],
        "note": "例行保养",
    }
    _refused(api.post(f"{url}/complete", as_user="tech", json=results), 422, "pm_task_not_started")
    _ok(api.post(f"{url}/start", as_user="tech"))
    _refused(api.post(f"{url}/complete", as_user="tech", json=results), 422, "pm_photo_missing")
    photo = {"photo": ("room.jpg", JPEG, "image/jpeg")}
    shown = _ok(api.post(f"{url}/items/3/photo", as_user="tech", files=photo))
    assert shown["items"][2]["has_photo"] is True
    image = api.get(f"{url}/items/3/photo", as_user="admin")
    assert isinstance(image, httpx2.Response) and image.headers["content-type"] == "image/jpeg"
    done = _ok(api.post(f"{url}/complete", as_user="tech", json=results))
    assert (done["status"], done["failed_items"], done["done_late"]) == ("done", 1, False)
    gap = done["items"][1]
    assert (gap["passed"], gap["value"]) == (False, "1.4")
    order = _ok(api.get(f"/api/v1/work-orders/{gap['work_order_id']}", as_user="admin"))
    assert order["asset_id"] == asset_id(context, site, "EL-B1-1")
    assert f"#{task['id']}" in order["description"]
    _refused(api.post(f"{url}/complete", as_user="tech", json=results), 409)
    plan_id = task["plan_id"]
    _refused(api.delete(f"{PM}/plans/{plan_id}", as_user="admin"), 409, "pm_plan_has_tasks")


def test_another_technician_cannot_see_or_complete_the_task(
    api: ApiClient, context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    task = _task_of_tech(api, context, site, clock)
    url = f"{PM}/tasks/{task['id']}"
    with context.db.session() as session:
        session.add(
            User(
                username="tech2",
                full_name="维修工2",
                role=Role.TECHNICIAN,
                password_hash="",
                created_at=clock.now(),
            )
        )
    _ok(
        api.post(f"{url}/assign", as_user="operator", json={"technician_id": _id(context, "tech2")})
    )
    _refused(api.get(url, as_user="tech"), 404)
    _refused(api.post(f"{url}/start", as_user="tech"), 404)
    assert _ok(api.get(f"{PM}/tasks", as_user="tech")) == []
    _refused(api.post(f"{url}/start", as_user="operator"), 403)
    _refused(api.get(f"{PM}/tasks", as_user="guard"), 403)
    _refused(api.post(f"{url}/cancel", as_user="operator", json={"reason": "x"}), 403)
    listed = _ok(api.get(f"{PM}/tasks?overdue=false", as_user="operator"))
    assert [(t["id"], t["assignee_name"]) for t in listed] == [(task["id"], "维修工2")]


def _id(context: HubContext, username: str) -> int:
    with context.db.session() as session:
        return session.scalars(select(User.id).where(User.username == username)).one()
