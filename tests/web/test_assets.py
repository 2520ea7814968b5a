"""The equipment ledger in the console (desktop 1440x900): an admin imports a spreadsheet with
one bad row and sees that row's error, fixes it and imports, finds the new asset in the list and
opens it; the sample's elevator shows its certificate expiring soon. Screenshots go to
docs/screenshots/admin/ for docs/maintenance.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.ledger_sheets import xlsx
from tests.web.conftest import OpenAs, shot

pytestmark = pytest.mark.browser

GOOD = (
    "GEN-1",
    "柴油发电机 Diesel generator",
    "发电机",
    "B2",
    "地下室 Basement",
    "2023-05-01",
    "2026-04-30",
    "备用",
    "",
)
BAD = ("CAM-1", "北门摄像机 North gate camera", "摄像机", "B1", "北门", "2024-13-01", "", "", "")
FIXED = (*BAD[:5], "2024-12-01", *BAD[6:])


def test_admin_imports_a_sheet_fixes_a_bad_row_and_opens_an_asset(
    open_as: OpenAs, tmp_path: Path
) -> None:
    page = open_as("admin", "/console/assets")
    table = page.locator("[data-test=asset-table]")
    expect(table).to_contain_text("EL-B1-1")
    expect(page.locator("[data-test=assets-expiring]")).to_contain_text("EL-B1-1")
    page.locator("[data-test=asset-import]").click()
    form = page.locator("[data-test=import-form]")
    sheet = tmp_path / "ledger.xlsx"
    sheet.write_bytes(xlsx([GOOD, BAD]))
    form.locator("input[name=ledger_file]").set_input_files(str(sheet))
    page.locator("[data-test=import-check]").click()
    errors = page.locator("[data-test=import-errors]")
    expect(errors).to_contain_text("日期格式有误")
    row = errors.locator(".el-table__body tr").first
    expect(row).to_contain_text("3")
    expect(row).to_contain_text("F")
    expect(row).to_contain_text("安装日期")
    page.wait_for_timeout(400)  # the dialog's fade, for the screenshot
    shot(page, "admin/assets-import-errors.png")
    fixed = tmp_path / "ledger-fixed.xlsx"
    fixed.write_bytes(xlsx([GOOD, FIXED]))
    form.locator("input[name=ledger_file]").set_input_files(str(fixed))
    page.locator("[data-test=import-check]").click()
    expect(page.locator("[data-test=import-checked]")).to_contain_text("新增 2")
    page.locator("[data-test=import-run]").click()
    expect(table).to_contain_text("GEN-1")
    page.locator("[data-test=asset-search]").fill("发电机")
    expect(table.locator(".el-table__body tr")).to_have_count(1)
    page.wait_for_timeout(300)
    shot(page, "admin/assets-list.png")
    table.locator(".el-table__body tr").filter(has_text="GEN-1").click()
    expect(page.locator("[data-test=asset-page]")).to_contain_text("柴油发电机")
    expect(page.locator("[data-test=asset-status]")).to_contain_text("备用")


def test_an_asset_shows_its_devices_documents_and_label(open_as: OpenAs) -> None:
    page = open_as("admin", "/console/assets")
    page.locator("[data-test=asset-table] .el-table__body tr").filter(has_text="EL-B1-1").click()
    documents = page.locator("[data-test=asset-documents]")
    expect(documents.locator("[data-expiry=soon]")).to_contain_text("剩 28 天")
    page.locator("[data-test=asset-edit]").click()
    form = page.locator("[data-test=asset-form]")
    form.locator("input[name=contractor]").fill("奥的斯维保 Otis Service")
    page.locator("[data-test=asset-save]").click()
    history = page.locator("[data-test=asset-history]")
    expect(history).to_contain_text("奥的斯维保 Otis Service")
    expect(history).to_contain_text("admin")
    page.wait_for_timeout(300)
    shot(page, "admin/asset-detail.png")
    page.locator("[data-test=asset-label]").click()
    image = page.locator("[data-test=label-image]")
    expect(image).to_be_visible()
    page.wait_for_function("document.querySelector('[data-test=label-image]').naturalWidth > 0")
    page.wait_for_timeout(300)
    shot(page, "admin/asset-label.png")


def test_a_technician_reads_the_ledger_without_changing_it(open_as: OpenAs) -> None:
    page = open_as("tech", "/console/assets")
    expect(page.locator(".console__nav")).to_contain_text("设施台账")
    expect(page.locator("[data-test=asset-table]")).to_contain_text("WP-1")
    expect(page.locator("[data-test=asset-import]")).to_have_count(0)
    page.locator("[data-test=asset-table] .el-table__body tr").filter(has_text="WP-1").click()
    expect(page.locator("[data-test=asset-devices]")).to_contain_text("pump-1")
    expect(page.locator("[data-test=asset-edit]")).to_have_count(0)
