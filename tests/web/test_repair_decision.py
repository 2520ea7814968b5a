"""The owner decides on their repair on the phone: sends a poor repair back with what is still
wrong, confirms and rates the rework, and cancels a request before work starts. Screenshots go
to docs/screenshots/owner/ for docs/owners.md."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import ApiClient
from tests.web.conftest import PHONE, OpenAs, shot

pytestmark = pytest.mark.browser
WO = "/api/v1/work-orders"


def _requested(api: ApiClient) -> int:
    """owner101's request, phoned in (accepted at once): the API client never logs in as the
    owner, whose password the page's first login changes."""
    homes: Any = api.get("/api/v1/homes?q=B1/101", as_user="service")
    form = {
        "home_id": str(homes.json()[0]["id"]),
        "category": "plumbing",
        "title": "卫生间漏水 Bathroom leak",
        "description": "地漏周围渗水",
    }
    created: Any = api.post(WO, as_user="service", data=form)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _done(api: ApiClient, order_id: int, *, first: bool = True) -> None:
    if first:
        tech: Any = api.get("/api/v1/staff?role=technician", as_user="service")
        tech_id = next(u["id"] for u in tech.json() if u["username"] == "tech")
        body = {"technician_id": tech_id}
        assert api.post(f"{WO}/{order_id}/assign", as_user="service", json=body).status_code == 200  # type: ignore[attr-defined]
        assert api.post(f"{WO}/{order_id}/start", as_user="tech").status_code == 200  # type: ignore[attr-defined]
    report = {"report": "重做防水 Redid the seal"}
    assert api.post(f"{WO}/{order_id}/complete", as_user="tech", data=report).status_code == 200  # type: ignore[attr-defined]


def test_an_owner_sends_a_repair_back_then_confirms_the_rework(
    open_as: OpenAs, api: ApiClient
) -> None:
    order_id = _requested(api)
    _done(api, order_id)
    page = open_as("owner101", f"/m/owner/repairs/{order_id}", PHONE)
    decide = page.locator("[data-test=decide]")
    expect(decide).to_contain_text("维修已完成，请确认")
    decide.locator("[data-test=start-refuse]").click()
    decide.locator("[data-test=refuse-reason] textarea").fill("还在渗水 Still seeping")
    shot(page, "owner/repair-refuse.png")
    decide.locator("[data-test=refuse]").click()
    expect(page.locator("[data-test=repair-status]")).to_have_text("维修中")
    expect(page.locator("[data-test=decide]")).to_have_count(0)
    expect(page.locator("[data-test=timeline]")).to_contain_text("还在渗水 Still seeping")

    _done(api, order_id, first=False)
    page.reload()
    decide.locator("[data-test=rate-quality] .van-rate__item").nth(3).click()  # 4 stars
    shot(page, "owner/repair-confirm.png")
    decide.locator("[data-test=confirm]").click()
    expect(page.locator("[data-test=repair-status]")).to_have_text("已确认")
    final: Any = api.get(f"{WO}/{order_id}", as_user="service").json()
    assert (final["refused_count"], final["rating_quality"], final["rating_attitude"]) == (1, 4, 5)


def test_an_owner_cancels_a_request_before_work_starts(open_as: OpenAs, api: ApiClient) -> None:
    order_id = _requested(api)
    page = open_as("owner101", f"/m/owner/repairs/{order_id}", PHONE)
    page.locator("[data-test=cancel-repair]").click()
    page.locator(".van-dialog__confirm").click()
    expect(page.locator("[data-test=repair-status]")).to_have_text("已取消")
    expect(page.locator("[data-test=cancel-repair]")).to_have_count(0)
    assert api.get(f"{WO}/{order_id}", as_user="service").json()["status"] == "cancelled"  # type: ignore[attr-defined]
