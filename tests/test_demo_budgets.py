"""The demo estate shows budget vs actual: six departments with approved budgets for this year
and finance's cost entries in each month so far; preparing again adds nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from hub.cli.demo import _prepare
from hub.context import HubContext
from tests.conftest import ApiClient


def test_the_demo_report_shows_budgets_and_actuals(context: HubContext) -> None:
    _prepare(context)
    again = _prepare(context)
    with TestClient(create_app(context)) as client:
        api = ApiClient(client, again, context.clock)
        report: Any = api.get("/api/v1/reports/budget", as_user="finance", params={"year": 2026})
        body = report.json()
        budgets: Any = api.get("/api/v1/budgets", as_user="finance").json()
    assert len(budgets) == 6 and {b["status"] for b in budgets} == {"approved"}
    security = next(r for r in body["rows"] if r["category"] == "security")
    assert security["months"][10] == {
        "budget": "20000.00",
        "actual": "18525.00",
        "variance": "-1475.00",
        "pct": "92.6",
    }
    assert all(r["ytd"]["actual"] != "0.00" for r in body["rows"] if r["category"] == "labour")
    # a cost entry of each month so far; November's security is 19,500.00 x 0.95
    assert body["cost_total"]["months"][0]["actual"] != "0.00"  # January too
