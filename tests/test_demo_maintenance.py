"""The demo estate shows maintenance in use: the sample plans' tasks of the last 60 days given
to `tech`, most done on time, one done late, one overdue, the open windows still to do;
preparing again adds nothing."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from hub.cli.demo import _prepare
from hub.context import HubContext
from tests.conftest import ApiClient


def test_the_demo_shows_tasks_done_done_late_and_overdue(context: HubContext) -> None:
    _prepare(context)
    again = _prepare(context)
    with TestClient(create_app(context)) as client:
        api = ApiClient(client, again, context.clock)
        found: Any = api.get("/api/v1/maintenance/tasks", as_user="admin").json()
        mine: Any = api.get("/api/v1/maintenance/tasks", as_user="tech").json()
        elevator = [t for t in found if t["plan_code"] == "EL-15D"]
        done = next(t for t in elevator if t["status"] == "done" and not t["done_late"])
        detail: Any = api.get(f"/api/v1/maintenance/tasks/{done['id']}", as_user="tech").json()
        [photo] = [i for i in detail["items"] if i["photo_required"]]
        assert photo["has_photo"]
        url = f"/api/v1/maintenance/tasks/{done['id']}/items/{photo['position']}/photo"
        assert api.get(url, as_user="tech").status_code == 200  # type: ignore[attr-defined]
    assert len(mine) == len(found)
    assert sum(t["overdue"] for t in found) == 1
    assert sum(t["done_late"] for t in found) == 1
    statuses = Counter(t["status"] for t in found)
    assert statuses["done"] >= 4 and statuses["scheduled"] >= 2
    assert all(i["passed"] for i in detail["items"])
    assert {t["plan_code"] for t in found} >= {"EL-15D", "FAP-M"}
