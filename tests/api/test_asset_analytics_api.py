"""GET /asset-analytics and its CSV, PDF and stalled counters over tests/support/asset_failures.py
(figures worked out in tests/services/test_asset_analytics.py); the clock at 2026-12-05."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services.site import LoadResult
from hub.storage.models import Site
from tests.conftest import ApiClient
from tests.support.asset_failures import report_readings, seed_asset_failures
from tests.support.sites import OTHER_SITE

URL = "/api/v1/asset-analytics"
NOVEMBER = {"from": "2026-11-01", "to": "2026-12-01"}


def ok(response: object) -> httpx2.Response:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == 200, response.text
    return response


@pytest.fixture
def seeded(context: HubContext, site: LoadResult, clock: FakeClock) -> None:
    seed_asset_failures(context)
    clock.set(datetime(2026, 12, 5, 2, 0, tzinfo=UTC))


def other_estate(context: HubContext) -> int:
    with context.db.session() as session:
        return session.scalars(select(Site.id).where(Site.code == OTHER_SITE)).one()


def figures(api: ApiClient, user: str = "operator", **params: object) -> Any:
    return ok(api.get(URL, as_user=user, params={**NOVEMBER, **params})).json()


def test_the_figures_per_asset_class_and_month(
    api: ApiClient, site: LoadResult, seeded: None
) -> None:
    body = figures(api, estate_id=site.site_id)
    assert body["estate"]["code"] == "green-garden"
    lift = next(a for a in body["assets"] if a["code"] == "EL-B1-1")["figures"]
    assert (lift["failures"], lift["mtbf_hours"], lift["mttr_hours"]) == (4, 175.5, 5.5)
    assert (lift["availability_pct"], lift["repeat_failures"]) == (97.5, 2)
    elevators = next(c for c in body["by_class"] if c["asset_class"] == "elevator")
    assert (elevators["assets"], elevators["figures"]["availability_pct"]) == (2, 94.58)
    assert [m["month"] for m in body["by_month"]] == ["2026-11"]
    assert [w["code"] for w in body["worst"]] == ["EL-B1-1", "EL-B2-1", "WP-1"]
    assert body["totals"]["failures"] == 6


def test_another_estate_shows_only_its_own(
    api: ApiClient, context: HubContext, seeded: None
) -> None:
    """Silver Court has the same asset codes; its one order (12 h, Nov 10) is all it shows."""
    body = figures(api, user="tech", estate_id=other_estate(context))
    assert body["estate"]["code"] == OTHER_SITE
    assert body["totals"]["failures"] == 1
    assert [(w["code"], w["figures"]["downtime_hours"]) for w in body["worst"]] == [
        ("EL-B1-1", 12.0)
    ]


@pytest.mark.parametrize("user", ["guard", "finance", "service", "owner101"])
def test_other_roles_are_refused(api: ApiClient, site: LoadResult, user: str) -> None:
    for path in ("", "/stalled-counters", "/export.csv", "/report.pdf?month=2026-11"):
        response = api.get(URL + path, as_user=user)
        assert isinstance(response, httpx2.Response)
        assert response.status_code == 403, (path, response.text)


def test_an_unknown_estate_and_a_backward_period(api: ApiClient, site: LoadResult) -> None:
    missing = api.get(URL, as_user="admin", params={"estate_id": 999})
    assert isinstance(missing, httpx2.Response) and missing.status_code == 404
    backward = api.get(URL, as_user="admin", params={"from": "2026-12-01", "to": "2026-11-01"})
    assert isinstance(backward, httpx2.Response) and backward.status_code == 422
    assert backward.json()["code"] == "analysis_period"
    decades = api.get(URL, as_user="admin", params={"from": "2000-01-01", "to": "2100-01-01"})
    assert isinstance(decades, httpx2.Response) and decades.status_code == 422
    assert decades.json()["code"] == "range_too_long"


def test_the_csv_holds_the_same_figures(api: ApiClient, site: LoadResult, seeded: None) -> None:
    response = ok(
        api.get(
            f"{URL}/export.csv", as_user="admin", params={**NOVEMBER, "estate_id": site.site_id}
        )
    )
    assert (
        'filename="asset-analytics-green-garden-20261101-20261201.csv"'
        in (response.headers["content-disposition"])
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["按类别 By class"] in rows
    lift = next(r for r in rows if r[:1] == ["EL-B1-1"])
    assert lift[:6] == [
        "EL-B1-1",
        "1号楼1号电梯 Building 1 elevator 1",
        "电梯 elevator",
        "在用 in_service",
        "4",
        "2",
    ]


def test_the_monthly_report_pdf(api: ApiClient, site: LoadResult, seeded: None) -> None:
    response = ok(
        api.get(
            f"{URL}/report.pdf",
            as_user="tech",
            params={"month": "2026-11", "estate_id": site.site_id},
        )
    )
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "设备月报 Equipment report 2026-11" in text
    assert "最差设施 Worst assets" in text and "EL-B1-1" in text
    for month in ("2026-13", "0000-01"):
        bad = api.get(f"{URL}/report.pdf", as_user="tech", params={"month": month})
        assert isinstance(bad, httpx2.Response) and bad.status_code == 422


def test_stalled_counters(api: ApiClient, context: HubContext, site: LoadResult) -> None:
    """pump-1 (WP-1's) run_hours stays at 812 from Oct 30 to the clock's Nov 10: stalled, its
    value without the stored scale's zeros; a bad `days` is refused."""
    assert ok(api.get(f"{URL}/stalled-counters", as_user="operator")).json() == []
    with context.db.session() as session:
        report_readings(session, "pump-1", "run_hours", [("10-28 08", 800), ("10-30 08", 812)])
        report_readings(session, "pump-1", "run_hours", [("11-09 08", 812)])
    found = ok(api.get(f"{URL}/stalled-counters", as_user="tech", params={"days": 7})).json()
    assert [(s["asset_code"], s["metric"], s["value"]) for s in found] == [
        ("WP-1", "run_hours", "812")
    ]
    assert ok(api.get(f"{URL}/stalled-counters", as_user="tech", params={"days": 12})).json() == []
    bad = api.get(f"{URL}/stalled-counters", as_user="operator", params={"days": 0})
    assert isinstance(bad, httpx2.Response) and bad.status_code == 422
