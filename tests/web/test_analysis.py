"""The satisfaction analysis console (满意度分析) in the built app, over the hand-made orders of
tests/support/analysis_orders.py, at the desktop (customer service) and the wall (admin).

The page opens on the API's default period, June to November 2026 by the hub's clock, which
also holds the September order; choosing 绿园小区 leaves out Silver Court's one. Screenshots go
to docs/screenshots/<role>/ for docs/service-desk.md."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from hub.context import HubContext
from hub.services.site import LoadResult
from tests.support.analysis_complaints import seed_analysis_complaints
from tests.support.analysis_orders import seed_analysis_orders
from tests.web.conftest import DESKTOP, WALL, OpenAs, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def orders(context: HubContext, site: LoadResult) -> dict[str, int]:
    return seed_analysis_orders(context)


def card(page: Page, key: str) -> str:
    return f"[data-test=card-{key}] [data-test=value]"


@pytest.mark.parametrize(
    ("username", "viewport", "size"),
    [("service", DESKTOP, "desktop"), ("admin", WALL, "wall")],
    ids=["desktop", "wall"],
)
def test_the_analysis_shows_the_figures_and_narrows_to_one_estate(
    open_as: OpenAs, orders: dict[str, int], username: str, viewport: tuple[int, int], size: str
) -> None:
    page = open_as(username, "/console/analysis", viewport)
    expect(page.locator("[data-test=period] input").first).to_have_value("2026-06")
    expect(page.locator("[data-test=period] input").last).to_have_value("2026-11")
    # all estates: O1..O12, September's and Silver Court's = 14
    expect(page.locator(card(page, "orders"))).to_have_text("14")
    page.locator("[data-test=estate]").click()
    page.locator(".el-select-dropdown__item:visible").filter(has_text="绿园小区").click()
    # green-garden: 13 orders over 5 homes = 260 per 100; attitude (29 + 5) / 9 = 3.78,
    # quality (27 + 5) / 9 = 3.56; accepted in time 7 + September's = 8 of 12 = 66.7 %
    expect(page.locator(card(page, "orders"))).to_have_text("13")
    expect(page.locator(card(page, "per100"))).to_have_text("260")
    expect(page.locator(card(page, "attitude"))).to_have_text("3.78")
    expect(page.locator(card(page, "quality"))).to_have_text("3.56")
    expect(page.locator(card(page, "sla"))).to_have_text("66.7 %")
    expect(page.locator("[data-test=card-sla]")).to_contain_text("12 单中 8 单按时受理")
    technicians = page.locator("[data-test=by-technician] .el-table__body tr")
    # tech: O1 O2 O5 O7 O9 and September's (5, 5): attitude 25/6 = 4.17
    expect(technicians.first).to_contain_text("维修工 Technician")
    expect(technicians.first).to_contain_text("4.17")
    expect(technicians.nth(1)).to_contain_text("维修工二 Technician 2")
    categories = page.locator("[data-test=by-category] .el-table__body tr")
    expect(categories.first).to_contain_text("电气")
    # B1/101 plumbing: September 15, October 2, 20, 31 (17, 18, 11.6 days apart) = 4 times
    repeats = page.locator("[data-test=repeats] .el-table__body tr")
    expect(repeats).to_have_count(2)
    expect(repeats.filter(has_text="B1/101")).to_contain_text("4")
    expect(page.locator("[data-test=steps]")).to_contain_text("全程：提交 → 确认")
    expect(page.locator("[data-test=trend] canvas")).to_have_count(1)
    role = "service" if username == "service" else "admin"
    shot(page, f"{role}/analysis-{size}.png")
    with page.expect_download() as download:
        page.locator("[data-test=export-csv]").click()
    assert download.value.suggested_filename == "service-analysis-2026-06-01-2026-12-01.csv"


def test_complaints_by_department_and_the_repair_clocks(
    open_as: OpenAs, context: HubContext, orders: dict[str, int]
) -> None:
    """tests/support/analysis_complaints.py's P1..P6 and September's (in the default period,
    customer service's, never reviewed): 7 over 5 homes = 140 per 100 homes."""
    seed_analysis_complaints(context)
    page = open_as("service", "/console/analysis", DESKTOP)
    page.locator("[data-test=estate]").click()
    page.locator(".el-select-dropdown__item:visible").filter(has_text="绿园小区").click()
    expect(page.locator(card(page, "complaints"))).to_have_text("140")
    expect(page.locator("[data-test=card-complaints]")).to_contain_text("投诉 7 件，重开 1 件")
    rows = page.locator("[data-test=by-department] .el-table__body tr")
    expect(rows).to_have_count(6)
    # cleaning P1 (met, met) and P2 (missed, missed, reopened)
    expect(rows.nth(1)).to_contain_text("保洁部")
    expect(rows.nth(1)).to_contain_text("50 %")
    # customer service P3, P5 and September's: reviewed in time 2 of 3, contacted 1 of 2
    expect(rows.nth(2)).to_contain_text("客服部")
    expect(rows.nth(2)).to_contain_text("66.7 %")
    expect(rows.nth(5)).to_contain_text("未分派")
    expect(page.locator("[data-test=department-chart] canvas")).to_have_count(1)
    clocks = page.locator("[data-test=repair-clocks] .el-table__body tr")
    expect(clocks).to_have_count(4)
    expect(clocks.nth(3)).to_contain_text("按时完工")
    page.locator("[data-test=by-department]").scroll_into_view_if_needed()
    shot(page, "service/analysis-departments.png")


def test_the_menu_shows_the_analysis_to_customer_service_not_to_the_operator(
    open_as: OpenAs,
) -> None:
    page = open_as("service", "/console/analysis")
    expect(page.locator(".console__nav")).to_contain_text("满意度分析")
    operator = open_as("operator")
    expect(operator.locator(".console__nav")).to_contain_text("报警")  # its menu is there
    expect(operator.locator(".console__nav")).not_to_contain_text("满意度分析")
