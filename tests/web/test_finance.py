"""The finance console in the built app (desktop 1440x900): a dry run of October, then the run;
the bills of the month; a counter payment (bank transfer) recorded with its receipt, after
which the bill shows paid and the arrears shrink. Screenshots go to docs/screenshots/finance/
for docs/finance.md."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services.meter_readings import import_readings
from hub.services.site import LoadResult
from tests.api.test_arrears_api import bill_months
from tests.api.test_collection_report import two_months_one_paid
from tests.web.conftest import OpenAs, shot

pytestmark = pytest.mark.browser

OCTOBER = [  # entered by hand (人工抄表); wm-b2-201 has none: a problem the run reports
    ["em-b1-101", "1000", "2026-09-30 23:00"],
    ["em-b1-101", "1250", "2026-10-31 23:59"],
    ["wm-b1-101", "50", "2026-10-01 00:00"],
    ["wm-b1-101", "62.5", "2026-11-01 00:00"],
    ["em-b1-102", "300", "2026-09-30 20:00"],
    ["em-b1-102", "310", "2026-10-31 20:00"],
    ["wm-b1-102", "1", "2026-09-30 20:00"],
    ["wm-b1-102", "2", "2026-10-31 20:00"],
    ["em-b2-201", "10", "2026-09-30 20:00"],
    ["em-b2-201", "20", "2026-10-31 20:00"],
]


@pytest.fixture
def october(context: HubContext, site: LoadResult) -> None:
    with context.db.session() as session:
        import_readings(session, site_code="green-garden", rows=OCTOBER, now=context.clock.now())


def at_hub_time(page: Page, clock: FakeClock) -> Page:
    """The browser's calendar on the hub's clock (the default period is last month)."""
    page.clock.set_fixed_time(clock.now())
    page.reload()
    return page


def bill_row(page: Page, home: str) -> Locator:
    return page.locator("[data-test=bill-table] .el-table__body tr").filter(has_text=home)


def test_finance_dry_runs_then_runs_a_month_and_collects_at_the_counter(
    open_as: OpenAs, october: None, clock: FakeClock
) -> None:
    page = at_hub_time(open_as("finance", "/console/finance"), clock)
    run = page.locator("[data-test=billing-run]")
    expect(run.locator("input")).to_have_value("2026-10")
    expect(run.locator("[data-test=real-run]")).to_be_disabled()  # a dry run comes first
    run.locator("[data-test=dry-run]").click()
    result = run.locator("[data-test=run-result]")
    expect(result).to_have_attribute("data-dry-run", "true")
    expect(result.locator("[data-test=run-billed]")).to_have_text("出账 3 户")
    expect(result.locator("[data-test=run-skipped]")).to_have_text("已出过账跳过 0 户")
    expect(result.locator("[data-test=run-problem-table]")).to_contain_text("wm-b2-201")
    expect(result.locator("[data-test=run-problem-table]")).to_contain_text("到月底没有任何读数")
    expect(page.locator("[data-test=bill-table]")).to_contain_text("没有符合条件的账单")
    shot(page, "finance/dry-run.png")

    run.locator("[data-test=real-run]").click()
    box = page.locator(".el-message-box")
    expect(box).to_contain_text("将生成 3 张账单")
    box.locator(".el-button--primary").click()
    expect(result).to_have_attribute("data-dry-run", "false")
    expect(page.locator("[data-test=bill-sum]")).to_have_text("共 3 张，合计 ¥914.87")
    expect(bill_row(page, "B1/101")).to_contain_text("¥409.58")
    expect(page.locator("[data-test=bill-table] .el-loading-mask")).to_have_count(0)
    shot(page, "finance/bills.png")

    bill_row(page, "B1/102").locator("[data-test=collect]").click()
    dialog = page.locator(".counter-payment")
    expect(dialog.locator("input[name=amount]")).to_have_value("309.38")
    expect(dialog.locator("[data-test=pay-plan]")).to_contain_text("2026-10")
    dialog.get_by_text("银行转账").click()
    dialog.locator("input[name=reference]").fill("ICBC-20261110-0042")
    shot(page, "finance/counter-payment.png")
    dialog.locator("[data-test=pay-submit]").click()
    receipt = dialog.locator("[data-test=receipt]")
    expect(receipt).to_contain_text("收款收据")
    expect(receipt).to_contain_text("SJ-202610-")
    expect(receipt).to_contain_text("ICBC-20261110-0042")
    shot(page, "finance/receipt.png")
    dialog.locator("[data-test=receipt-close]").click()
    expect(bill_row(page, "B1/102").locator(".el-tag")).to_have_attribute("data-status", "paid")
    expect(bill_row(page, "B1/102")).to_contain_text("银行转账")

    page.get_by_role("tab", name="欠费").click()
    page.wait_for_timeout(400)  # the tab's slide, for the screenshot
    arrears = page.locator("[data-test=arrears]")
    expect(arrears.locator("[data-test=arrears-total]")).to_have_text("¥605.49")
    expect(arrears.locator("[data-test=arrears-count]")).to_have_text("2")
    expect(arrears.locator("[data-test=arrears-table]")).not_to_contain_text("B1/102")
    shot(page, "finance/arrears.png")

    page.get_by_role("tab", name="账单").click()
    page.locator("[data-test=bill-status]").click()
    page.locator(".el-select-dropdown__item:visible").filter(has_text="已缴").click()
    expect(page.locator("[data-test=bill-sum]")).to_have_text("共 1 张，合计 ¥309.38")


def test_finance_sees_the_arrears_by_age_and_building(
    open_as: OpenAs, context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    bill_months(context)  # August, September (31-90 days old) and October (0-30)
    page = at_hub_time(open_as("finance", "/console/finance"), clock)
    page.get_by_role("tab", name="欠费").click()
    table = page.locator("[data-test=aging-table]")
    rows = table.locator(".el-table__body tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("1号楼 Building 1")
    expect(rows.nth(0)).to_contain_text("¥523.75")
    expect(rows.nth(0)).to_contain_text("¥1047.50")
    expect(rows.nth(0)).to_contain_text("4 笔")
    expect(rows.nth(2)).to_contain_text("全部")
    expect(rows.nth(2)).to_contain_text("¥2143.14")
    page.wait_for_timeout(400)  # the tab's slide, for the screenshot
    shot(page, "finance/arrears-aging.png")


def test_finance_reads_the_collection_rate_and_exports_it(
    open_as: OpenAs, context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    two_months_one_paid(context)
    page = at_hub_time(open_as("finance", "/console/finance"), clock)
    page.get_by_role("tab", name="报表").click()
    report = page.locator("[data-test=collection]")
    expect(report.locator("[data-test=collection-total]")).to_have_text(
        "合计：应收 ¥1428.76，已收 ¥450.00，收缴率 31.5%"
    )
    october_b1 = (
        report.locator("[data-test=collection-table] .el-table__body tr")
        .filter(has_text="2026-10")
        .filter(has_text="1号楼")
        .filter(has_text="物业费")
    )
    expect(october_b1).to_contain_text("28.6%")  # B1/102's October bill, 150.00 of 300.00 paid
    page.wait_for_timeout(400)  # the tab's slide, for the screenshot
    shot(page, "finance/collection.png")
    with page.expect_download() as sheet:
        report.locator("[data-test=collection-xlsx]").click()
    assert sheet.value.suggested_filename == "collection-2026-01-2026-11.xlsx"


def test_finance_issues_a_demand_letter_for_a_bill_past_every_reminder(
    open_as: OpenAs, context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    bill_months(context)
    clock.advance(timedelta(days=24))  # August's bills are 90 days unpaid
    page = at_hub_time(open_as("finance", "/console/finance"), clock)
    page.get_by_role("tab", name="欠费").click()
    rows = page.locator("[data-test=arrears-table] .el-table__body tr")
    august = rows.filter(has_text="B1/101").filter(has_text="2026-08")
    expect(rows.filter(has_text="2026-09").locator("[data-test=demand-letter]")).to_have_count(0)
    with page.expect_download() as letter:
        august.locator("[data-test=demand-letter]").click()
    assert re.fullmatch(r"demand-CJ\d{6}-\d{5}\.pdf", letter.value.suggested_filename)
    august.locator("[data-test=demand-letter]").click()  # its 15-day term is running
    expect(page.locator(".el-message--error")).to_contain_text("上一份催缴函的缴费期限未满")
    shot(page, "finance/demand-letter.png")
