"""The analysis' complaint figures and repair clocks against numbers worked out by hand from
tests/support/analysis_complaints.py and analysis_orders.py (green-garden, 3 homes, recorded
2026-10-01 to 2026-12-01 Shanghai time, the clock at 2026-11-10 02:00 UTC, limits 1 h review
and 24 h contact from the seed SLA file unless a test changes it).

P1 cleaning: reviewed 30 min, contacted 5 h: both met.  P2 cleaning: 90 min, 30 h: both
missed, reopened once.  P3 customer service: 10 min, 2 h: met.  P4 suggested landscaping, 30
min old: both pending.  P5 customer service, out of scope after 20 min: review met, contact
not judged.  P6 never routed, 8 days old and untouched: both missed.  Satisfaction on
closing: P1 4 stars, P3 3 stars; P5 (out of scope) and the open ones none.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx2
import pytest

from hub.context import HubContext
from hub.services.site import LoadResult
from tests.conftest import ApiClient
from tests.support.analysis_complaints import seed_analysis_complaints
from tests.support.analysis_orders import seed_analysis_orders

URL = "/api/v1/service-analysis"
PERIOD = {"from": "2026-10-01", "to": "2026-12-01"}


def _sla(judged: int, met: int, met_pct: float | None, pending: int) -> dict[str, Any]:
    return {"judged": judged, "met": met, "met_pct": met_pct, "pending": pending}


@pytest.fixture
def seeded(context: HubContext, site: LoadResult) -> None:
    seed_analysis_orders(context)
    seed_analysis_complaints(context)


def _analysis(api: ApiClient, site: LoadResult) -> Any:
    response = api.get(URL, as_user="service", params={**PERIOD, "estate_id": site.site_id})
    assert isinstance(response, httpx2.Response) and response.status_code == 200, response
    return response.json()


def test_complaints_by_department_rate_and_limits_met(
    api: ApiClient, site: LoadResult, seeded: None
) -> None:
    found = _analysis(api, site)["complaints"]
    # P1..P6 (the other estate's and September's left out) over 5 homes: 600 / 5
    assert (found["complaints"], found["per_100_homes"], found["reopened"]) == (6, 120.0, 1)
    # review: met P1 P3 P5, missed P2 P6, pending P4: 3 of 5
    assert found["review"] == _sla(5, 3, 60.0, 1)
    # contact: met P1 P3, missed P2 P6, pending P4, P5 out of scope: 2 of 4
    assert found["contact"] == _sla(4, 2, 50.0, 1)
    rows = {d["department"]: d for d in found["by_department"]}
    assert list(rows) == [
        "maintenance",
        "cleaning",
        "customer_service",
        "security",
        "landscaping",
        "unrouted",
    ]
    figures = {
        name: (d["complaints"], d["review"]["met_pct"], d["contact"]["met_pct"], d["reopened"])
        for name, d in rows.items()
    }
    assert figures == {
        "maintenance": (0, None, None, 0),
        "cleaning": (2, 50.0, 50.0, 1),
        "customer_service": (2, 100.0, 100.0, 0),  # P5's contact not judged
        "security": (0, None, None, 0),
        "landscaping": (1, None, None, 0),  # P4 pending on both
        "unrouted": (1, 0.0, 0.0, 0),
    }
    satisfaction = {name: (d["rated"], d["satisfaction"]) for name, d in rows.items()}
    assert satisfaction == {
        "maintenance": (0, None),
        "cleaning": (1, 4.0),  # P1
        "customer_service": (1, 3.0),  # P3
        "security": (0, None),
        "landscaping": (0, None),
        "unrouted": (0, None),
    }


def test_the_sla_file_sets_the_limits_the_figures_judge(
    api: ApiClient, context: HubContext, site: LoadResult, seeded: None
) -> None:
    path = context.settings.sla_file
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            '    - {kind: "*", review: 1h, contact: 1d}',
            '    - {kind: "*", review: 1h, contact: 1d}\n'
            "    - {kind: sanitation, review: 2h, contact: 2d}",
        ),
        encoding="utf-8",
    )
    rows = {d["department"]: d for d in _analysis(api, site)["complaints"]["by_department"]}
    # P2's 90 min review and 30 h contact are in time for sanitation now
    assert rows["cleaning"]["review"] == _sla(2, 2, 100.0, 0)
    assert rows["cleaning"]["contact"] == _sla(2, 2, 100.0, 0)


def test_repair_sla_per_clock(api: ApiClient, site: LoadResult, seeded: None) -> None:
    body = _analysis(api, site)
    clocks = {c["clock"]: c["sla"] for c in body["repair_clocks"]}
    assert list(clocks) == ["accept", "contact", "arrive", "complete"]
    assert clocks["accept"] == body["acceptance"] == _sla(11, 7, 63.6, 1)
    # arrive within 2 h of assignment: every one of O1..O10 (20 to 60 min); O11 O12 unassigned
    assert clocks["arrive"] == _sla(10, 10, 100.0, 2)
    # complete within 1 day of acceptance: the steps after it sum to at most 175 min
    assert clocks["complete"] == _sla(10, 10, 100.0, 2)


def test_the_exports_carry_the_department_table(
    api: ApiClient, site: LoadResult, seeded: None
) -> None:
    query = {**PERIOD, "estate_id": site.site_id}
    response = api.get(f"{URL}/export.csv", as_user="admin", params=query)
    assert isinstance(response, httpx2.Response) and response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    start = rows.index(["投诉按部门 Complaints by department"])
    assert rows[start + 3] == ["保洁部 cleaning", "2", "50.0", "50.0", "1", "4.0", "1"]
    assert rows[start + 7] == ["未分派 unrouted", "1", "0.0", "0.0", "0", "", "0"]
    assert ["每百户投诉 Complaints per 100 homes", "120.0"] in rows
