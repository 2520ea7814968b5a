"""Sales and tenant changes: customer service records when the company was told and applies the
change; the 24-hour limit shows met or breached by the hub's clock; a sold-away owner loses the
home."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2
from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.storage.models import AuditEntry
from tests.api.registration_support import PASSWORD, PHONE, home_id_of, login, verified
from tests.conftest import ApiClient

CHANGES = "/api/v1/ownership-changes"


def record(api: ApiClient, label: str, **body: Any) -> httpx2.Response:
    url = f"/api/v1/homes/{home_id_of(api, label)}/ownership-changes"
    response = api.post(url, as_user="service", json=body)
    assert isinstance(response, httpx2.Response)
    return response


def apply_change(api: ApiClient, change_id: int) -> httpx2.Response:
    response = api.post(f"{CHANGES}/{change_id}/apply", as_user="service")
    assert isinstance(response, httpx2.Response)
    return response


def test_a_sale_to_a_registered_applicant_within_24_hours(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    home = home_id_of(api, "B1/101")
    assert api.get(f"/api/v1/homes/{home}/household", as_user="owner101").status_code == 200
    registration_id = verified(api, context, "B1/101")
    told = (clock.now() - timedelta(hours=3)).isoformat()
    recorded = record(api, "B1/101", kind="sale", notified_at=told, registration_id=registration_id)
    assert recorded.status_code == 201, recorded.text
    change = recorded.json()
    assert (change["limit"], change["new_owner"]) == ("open", "赵敏 Zhao Min")
    [listed] = api.get(CHANGES, as_user="service").json()
    assert listed["deadline"] == (clock.now() + timedelta(hours=21)).isoformat().replace(
        "+00:00", "Z"
    )
    applied = apply_change(api, change["id"])
    assert applied.status_code == 200, applied.text
    assert applied.json()["limit"] == "met"
    assert api.get(CHANGES, as_user="service").json() == []  # nothing open
    assert api.get(f"/api/v1/homes/{home}/household", as_user="owner101").status_code == 404
    assert api.get("/api/v1/homes", as_user="owner101").json() == []
    assert login(api, PHONE).status_code == 200
    api.accounts[PHONE] = PASSWORD
    assert [h["id"] for h in api.get("/api/v1/homes", as_user=PHONE).json()] == [home]
    with context.db.session() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.target == f"home:{home}")
        ).all()
    assert actions == ["ownership_change_recorded", "ownership_change_applied"]
    again = apply_change(api, change["id"])
    assert (again.status_code, again.json()["code"]) == (409, "change_applied")


def test_a_tenant_change_applied_after_24_hours_is_breached(
    api: ApiClient, clock: FakeClock
) -> None:
    today = clock.now().date().isoformat()
    moving_in = record(api, "B1/102", kind="tenant_in", tenant_name="钱进 Qian Jin", moved_on=today)
    assert moving_in.status_code == 201, moving_in.text
    clock.advance(timedelta(hours=25))
    assert api.get(CHANGES, as_user="service").json()[0]["limit"] == "overdue"
    applied = apply_change(api, moving_in.json()["id"])
    assert applied.json()["limit"] == "breached"
    home = home_id_of(api, "B1/102")
    [tenant] = api.get(f"/api/v1/homes/{home}/household", as_user="owner102").json()["members"]
    assert (tenant["kind"], tenant["name"], tenant["living_here"]) == (
        "tenant",
        "钱进 Qian Jin",
        True,
    )
    leaving = record(api, "B1/102", kind="tenant_out", member_id=tenant["id"], moved_on=today)
    assert leaving.status_code == 201, leaving.text
    assert apply_change(api, leaving.json()["id"]).json()["limit"] == "met"
    [gone] = api.get(f"/api/v1/homes/{home}/household", as_user="owner102").json()["members"]
    assert gone["living_here"] is False
    everything = api.get(CHANGES, as_user="admin", params={"open": "false"}).json()
    assert [c["limit"] for c in everything] == ["breached", "met"]


def test_changes_that_cannot_be_applied_are_refused(api: ApiClient, clock: FakeClock) -> None:
    later = (clock.now() + timedelta(hours=1)).isoformat()
    future = record(api, "B1/101", kind="sale", new_owner_username="owner201", notified_at=later)
    assert (future.status_code, future.json()["code"]) == (422, "change_notified_future")
    staff = record(api, "B1/101", kind="sale", new_owner_username="operator")
    assert (staff.status_code, staff.json()["code"]) == (422, "change_new_owner")
    nobody = record(api, "B1/101", kind="tenant_out", member_id=999, moved_on="2026-11-10")
    assert (nobody.status_code, nobody.json()["code"]) == (422, "change_tenant")


def test_only_customer_service_records_and_applies(api: ApiClient, clock: FakeClock) -> None:
    change = record(api, "B1/101", kind="sale", new_owner_username="owner201").json()
    home = home_id_of(api, "B1/101")
    for user in ("owner101", "admin", "operator"):
        url = f"/api/v1/homes/{home}/ownership-changes"
        body = {"kind": "sale", "new_owner_username": "owner201"}
        assert api.post(url, as_user=user, json=body).status_code == 403
        assert api.post(f"{CHANGES}/{change['id']}/apply", as_user=user).status_code == 403
    assert api.get(CHANGES, as_user="owner201").status_code == 403
    assert apply_change(api, 999).status_code == 404
