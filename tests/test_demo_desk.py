"""The demo estate shows the service desk in use: a fresh database prepared by `hub demo` has a
repair request in every state (one past its 30-minute accept limit), ratings and answered surveys,
a refused repair and complaints at several stages, one reopened; preparing again adds nothing."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from hub.cli.demo import _prepare
from hub.context import HubContext
from tests.conftest import ApiClient


def test_the_demo_seeds_the_desk_in_every_state_once(context: HubContext) -> None:
    accounts = _prepare(context)
    again = _prepare(context)  # a second run: fresh passwords, no second set of requests
    with TestClient(create_app(context)) as client:
        api = ApiClient(client, again, context.clock)
        orders: Any = api.get("/api/v1/work-orders", as_user="service").json()
        found: Any = api.get("/api/v1/complaints", as_user="service").json()
        sent: Any = api.get("/api/v1/surveys", as_user="service").json()
    assert set(accounts) == set(again)
    assert Counter(o["status"] for o in orders) == {
        "submitted": 2,
        "accepted": 1,
        "assigned": 1,
        "in_progress": 2,  # one of them sent back by its owner
        "completed": 1,
        "confirmed": 3,
    }
    assert [o["refused_count"] for o in orders if o["refused_count"]] == [1]
    ratings = sorted(o["rating_quality"] for o in orders if o["status"] == "confirmed")
    assert ratings == [3, 4, 5]
    # every completion sent a survey; the three rated repairs' owners answered theirs
    assert Counter(s["state"] for s in sent) == {"answered": 3, "sent": 2}
    now = context.clock.now()
    late = [o for o in orders if o["status"] == "submitted" and _at(o["accept_by"]) < now]
    assert [o["title"] for o in late] == ["阳台门关不严 Balcony door will not shut"]
    assert Counter(c["status"] for c in found) == {
        "recorded": 1,
        "assigned": 1,
        "handled": 1,
        "closed": 1,
        "reopened": 1,
    }
    assert [c["reopen_count"] for c in found if c["status"] == "reopened"] == [1]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)
