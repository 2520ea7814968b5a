"""GET /usage: an owner's own meters month by month; another owner's readings never show."""

from __future__ import annotations

from typing import Any

import httpx2

from hub.context import HubContext
from hub.services.site import LoadResult
from tests.conftest import ApiClient
from tests.services.test_billing import add_readings


def ok(response: object) -> Any:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == 200, response.text
    return response.json()


def test_owner_sees_own_monthly_use_as_strings(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    with context.db.session() as session:
        add_readings(
            session,
            "wm-b1-101",
            "water_m3",
            ("2026-09-30 23:00", "50"),
            ("2026-10-31 23:00", "62.5"),
        )
        add_readings(session, "wm-b1-102", "water_m3", ("2026-09-30 23:00", "1"))
    body = ok(api.get("/api/v1/usage", as_user="owner101"))
    assert [(m["home"], m["meter"]) for m in body["meters"]] == [
        ("B1/101", "em-b1-101"),
        ("B1/101", "wm-b1-101"),
    ]
    water = body["meters"][1]
    assert (water["utility"], water["unit"], len(water["months"])) == ("water", "m3", 12)
    assert water["months"][-2] == {"period": "2026-10", "quantity": "12.5", "complete": True}
    assert water["months"][-1] == {"period": "2026-11", "quantity": None, "complete": False}


def test_another_owner_sees_nothing_of_these_meters(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    with context.db.session() as session:
        add_readings(
            session, "em-b1-101", "energy_kwh", ("2026-09-30 23:00", "1"), ("2026-10-31", "9")
        )
    body = ok(api.get("/api/v1/usage", as_user="owner201"))
    assert [m["meter"] for m in body["meters"]] == ["em-b2-201", "wm-b2-201"]
    assert all(month["quantity"] is None for m in body["meters"] for month in m["months"])


def test_staff_are_refused(api: ApiClient) -> None:
    for username in ("finance", "service", "operator", "admin"):
        response = api.get("/api/v1/usage", as_user=username)
        assert isinstance(response, httpx2.Response) and response.status_code == 403
