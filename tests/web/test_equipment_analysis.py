"""The equipment analysis console (设备分析) in the built app, over the failures of
tests/support/asset_failures.py with the clock at 2026-12-05 10:00 Shanghai time, at the desktop
(admin) and phone width (technician). Screenshots go to docs/screenshots/ for
docs/maintenance.md.

The page opens on the API's default period, July to December 2026: failures E and F
(October), A B C D G H (November) = 8; G still open. cpr-north, linked to the elevator EL-B1-1,
says `running` = 0 since Nov 20: a stalled counter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services.site import LoadResult
from hub.storage.models import Device
from tests.support.asset_failures import SAMPLE, asset_of, report_readings, seed_asset_failures
from tests.web.conftest import DESKTOP, PHONE, OpenAs, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def failures(context: HubContext, site: LoadResult, clock: FakeClock) -> None:
    seed_asset_failures(context)
    with context.db.session() as session:
        reader = session.get(
            Device,
            session.scalars(
                select(Device.id).where(Device.site_id == site.site_id, Device.code == "cpr-north")
            ).one(),
        )
        assert reader is not None
        reader.asset_id = asset_of(session, SAMPLE, "EL-B1-1").id
        report_readings(session, "cpr-north", "running", [("11-18 08", 1), ("11-20 08", 0)])
        report_readings(session, "cpr-north", "running", [("12-04 08", 0)])
    clock.set(datetime(2026, 12, 5, 2, 0, tzinfo=UTC))


def card(key: str) -> str:
    return f"[data-test=card-{key}] [data-test=value]"


@pytest.mark.parametrize(
    ("username", "viewport", "size"),
    [("admin", DESKTOP, "desktop"), ("tech", PHONE, "phone")],
    ids=["desktop", "phone"],
)
def test_the_equipment_figures_worst_assets_and_stalled_counters(
    open_as: OpenAs, failures: None, username: str, viewport: tuple[int, int], size: str
) -> None:
    page = open_as(username, "/console/equipment-analysis", viewport)
    expect(page.locator("[data-test=period] input").first).to_have_value("2026-07")
    expect(page.locator("[data-test=period] input").last).to_have_value("2026-12")
    expect(page.locator(card("failures"))).to_have_text("8")
    expect(page.locator("[data-test=card-failures]")).to_contain_text("重复故障 3 次")
    worst = page.locator("[data-test=worst] .el-table__body tr")
    # EL-B1-1: E A B C D; EL-B2-1: F G; WP-1: H
    expect(worst).to_have_count(3)
    expect(worst.first).to_contain_text("EL-B1-1")
    expect(worst.first).to_contain_text("5")
    expect(page.locator("[data-test=by-class] .el-table__body tr").first).to_contain_text("电梯")
    stalled = page.locator("[data-test=stalled] .el-table__body tr")
    expect(stalled).to_have_count(1)
    expect(stalled.first).to_contain_text("cpr-north")
    expect(stalled.first).to_contain_text("运行状态（从未开启）")
    expect(stalled.first).to_contain_text("2026-11-18 08:00")
    expect(page.locator("[data-test=trend] canvas")).to_have_count(1)
    expect(page.locator("[data-test=report-month] input")).to_have_value("2026-12")
    role = "admin" if username == "admin" else "technician"
    shot(page, f"{role}/equipment-analysis-{size}.png")
    with page.expect_download() as csv:
        page.locator("[data-test=export-csv]").click()
    assert csv.value.suggested_filename == "asset-analytics-green-garden-2026-07-01-2027-01-01.csv"
    with page.expect_download() as pdf:
        page.locator("[data-test=report-pdf]").click()
    assert pdf.value.suggested_filename == "equipment-report-green-garden-2026-12.pdf"


def test_other_roles_have_no_such_menu(open_as: OpenAs, site: LoadResult) -> None:
    page: Page = open_as("service", "/console/analysis", DESKTOP)
    expect(page.locator("[data-test=analysis-page]")).to_be_visible()
    expect(page.get_by_role("menuitem", name="设备分析")).to_have_count(0)
