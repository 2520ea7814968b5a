"""The admin console in the built app (desktop 1440x900): a technician's account is created and
its initial password shown once; a broken rules file is checked and shows its problems at
line:column, and a valid one is saved; the tariffs list every version. Screenshots go to
docs/screenshots/admin/ for docs/admins.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from hub.context import HubContext
from tests.web.conftest import OpenAs, log_in, shot

pytestmark = pytest.mark.browser

BROKEN = (
    "rules:\n"
    "  - id: leak-alarm\n"
    "    kind: threshold\n"
    "    device_kind: leak_sensor\n"
    "    metrc: leak\n"
    "    above: 0\n"
)


@pytest.fixture
def rules_path(context: HubContext) -> Path:
    """The rules file the hub edits: each test's own copy of the default (tests/conftest.py)."""
    assert context.settings.rules_file.is_relative_to(context.settings.var_dir.parent)
    return context.settings.rules_file


def tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    page.wait_for_timeout(400)  # the tab's slide and the tags' zoom-in, for the screenshots


def test_admin_creates_a_technician_account(open_as: OpenAs) -> None:
    page = open_as("admin", "/console/admin")
    page.locator("[data-test=account-create]").click()
    dialog = page.locator("[data-test=account-dialog]")
    dialog.locator("input[name=username]").fill("tech2")
    dialog.locator("input[name=full_name]").fill("刘强 Liu Qiang")
    expect(dialog.locator("[data-test=account-role]")).to_contain_text("维修技师")
    dialog.locator("[data-test=account-submit]").click()
    issued = page.locator("[data-test=password-issued]")
    expect(issued).to_contain_text("只显示这一次")
    password = issued.locator("[data-test=initial-password]").inner_text().strip()
    assert len(password) >= 12
    page.wait_for_timeout(400)  # the dialogs' fade, for the screenshot
    shot(page, "admin/account-created.png")
    issued.get_by_role("button", name="关闭").first.click()
    expect(issued).to_be_hidden()
    row = page.locator("[data-test=account-table] .el-table__body tr").filter(has_text="tech2")
    expect(row).to_contain_text("维修技师")
    expect(row).to_contain_text("待改初始密码")
    admin_row = page.locator("[data-test=account-table] .el-table__body tr").filter(
        has_text="系统管理员"
    )
    expect(admin_row).to_contain_text("当前登录的账号")  # no deactivating oneself
    shot(page, "admin/accounts.png")

    other = page.context.browser.new_context(base_url=page.url)  # type: ignore[union-attr]
    first = other.new_page()
    first.goto("/")
    log_in(first, "tech2", password)  # the technician logs in and sets a password
    other.close()


def test_admin_checks_a_broken_rules_file_then_saves_a_valid_one(
    open_as: OpenAs, rules_path: Path
) -> None:
    original = rules_path.read_text(encoding="utf-8")
    page = open_as("admin", "/console/admin")
    tab(page, "告警规则")
    editor = page.locator("[data-test=rules-editor]")
    text = editor.locator("textarea[data-test=rules-text]")
    expect(text).to_have_value(original)
    text.fill(BROKEN)
    editor.locator("[data-test=rules-check]").click()
    problems = editor.locator("[data-test=rules-problem]")
    at = problems.filter(has=page.locator("[data-at='5:5']"))
    expect(at).to_contain_text("第 5 行第 5 列")
    expect(at).to_contain_text("metrc: Extra inputs are not permitted")
    expect(editor.locator("[data-test=rules-result]")).to_contain_text("不能保存")
    shot(page, "admin/rules-error.png")

    valid = original.replace("rules:", "# 管理员 2026-11-10 检查\nrules:", 1)
    text.fill(valid)
    editor.locator("[data-test=rules-check]").click()
    expect(editor.locator("[data-test=rules-result]")).to_contain_text("检查通过")
    editor.locator("[data-test=rules-save]").click()
    page.locator(".el-message-box .el-button--primary").click()
    expect(page.locator(".el-message")).to_contain_text("已保存")
    expect(editor).not_to_contain_text("未保存")
    assert rules_path.read_text(encoding="utf-8") == valid
    shot(page, "admin/rules.png")


def test_admin_checks_a_broken_sla_file_then_saves_a_valid_one(
    open_as: OpenAs, context: HubContext
) -> None:
    """The SLA file in the same editor: a problem named by its field and its translated code."""
    path = context.settings.sla_file
    original = path.read_text(encoding="utf-8")
    page = open_as("admin", "/console/admin")
    tab(page, "服务时限")
    editor = page.locator("[data-test=sla-editor]")
    text = editor.locator("textarea[data-test=sla-text]")
    expect(text).to_have_value(original)
    text.fill(original.replace("accept: 30m", "accept: soon", 1))
    editor.locator("[data-test=sla-check]").click()
    problem = editor.locator("[data-test=sla-problem]")
    expect(problem).to_have_count(1)
    expect(problem.locator("[data-where='policies.0.limits.accept']")).to_be_visible()
    expect(problem).to_contain_text("服务时限文件某字段有误：'soon' is not a duration")
    expect(editor.locator("[data-test=sla-result]")).to_contain_text("有 1 处错误，不能保存")
    shot(page, "admin/sla-error.png")

    valid = original.replace("accept: 30m", "accept: 20m", 1)
    text.fill(valid)
    editor.locator("[data-test=sla-check]").click()
    expect(editor.locator("[data-test=sla-result]")).to_contain_text("检查通过：3 条策略")
    editor.locator("[data-test=sla-save]").click()
    page.locator(".el-message-box .el-button--primary").click()
    expect(page.locator(".el-message")).to_contain_text("已保存，共 3 条策略")
    expect(editor).not_to_contain_text("未保存")
    assert path.read_text(encoding="utf-8") == valid
    shot(page, "admin/sla.png")


def test_admin_sees_every_tariff_version(open_as: OpenAs) -> None:
    page = open_as("admin", "/console/admin")
    tab(page, "价格")
    table = page.locator("[data-test=tariff-table]")
    electricity = table.locator(".el-table__body tr").filter(has_text="电费")
    expect(electricity).to_contain_text(
        "0–200 kWh ¥0.5283 · 200–400 kWh ¥0.5783 · 400 kWh 以上 ¥0.8283"
    )
    expect(electricity).to_contain_text("已生效")

    page.locator("[data-test=tariff-new]").click()
    dialog = page.locator("[data-test=tariff-dialog]")
    expect(dialog.locator("[data-test=tariff-utility]")).to_contain_text("水费")
    expect(dialog.locator("input[data-test=tier-price]")).to_have_value("4.10")
    dialog.locator(".el-date-editor input").fill("2027-01-01")
    dialog.locator(".el-date-editor input").press("Enter")
    dialog.locator("input[data-test=tier-price]").fill("4.35")
    page.wait_for_timeout(400)  # the dialog's fade-in, for the screenshot
    shot(page, "admin/tariff-publish.png")
    dialog.locator("[data-test=tariff-submit]").click()
    expect(dialog).to_be_hidden()
    water = table.locator(".el-table__body tr").filter(has_text="水费")
    expect(water.first).to_contain_text("v2")
    expect(water.first).to_contain_text("2027-01-01")
    expect(water.first).to_contain_text("待生效")
    expect(water.first).to_contain_text("¥4.35/m3")
    shot(page, "admin/tariffs.png")


def new_electricity_price(page: Page) -> Locator:
    """The price tab's publish dialog, electricity chosen (it starts from the sample's blocks)."""
    tab(page, "价格")
    page.locator("[data-test=tariff-new]").click()
    dialog = page.locator("[data-test=tariff-dialog]")
    dialog.locator("[data-test=tariff-utility]").click()
    page.locator(".el-select-dropdown__item:visible").filter(has_text="电费").click()
    return dialog


def from_new_year(page: Page, dialog: Locator) -> None:
    """In force from 1 January 2027; the dialog settled, for the screenshot."""
    dialog.locator(".el-date-editor input").fill("2027-01-01")
    dialog.locator(".el-date-editor input").press("Enter")
    page.wait_for_timeout(400)  # the dialog's fade-in


def test_admin_publishes_yearly_electricity_blocks(open_as: OpenAs) -> None:
    page = open_as("admin", "/console/admin")
    dialog = new_electricity_price(page)
    expect(dialog.locator("input[data-test=tier-price]").first).to_have_value("0.5283")
    period = dialog.locator("[data-test=tariff-period]")
    expect(period.locator(".is-active")).to_have_text("月用量")
    period.get_by_text("年累计用量").click()
    from_new_year(page, dialog)
    shot(page, "admin/tariff-yearly.png")
    dialog.locator("[data-test=tariff-submit]").click()
    expect(dialog).to_be_hidden()
    table = page.locator("[data-test=tariff-table]")
    electricity = table.locator(".el-table__body tr").filter(has_text="电费")
    expect(electricity.first).to_contain_text("v2")
    expect(electricity.first).to_contain_text("400 kWh 以上 ¥0.8283（年累计）")


def test_admin_publishes_a_summer_price_for_its_months(open_as: OpenAs) -> None:
    page = open_as("admin", "/console/admin")
    dialog = new_electricity_price(page)
    dialog.locator("[data-test=tariff-months]").click()
    for month in ("7 月", "8 月", "9 月"):
        page.locator(".el-select-dropdown__item:visible").filter(has_text=month).click()
    from_new_year(page, dialog)
    shot(page, "admin/tariff-seasonal.png")
    dialog.locator("[data-test=tariff-submit]").click()
    expect(dialog).to_be_hidden()
    rows = page.locator("[data-test=tariff-table] .el-table__body tr").filter(has_text="电费")
    expect(rows.first).to_contain_text("v2")
    expect(rows.first).to_contain_text("¥0.8283（7,8,9 月）")


def test_admin_publishes_a_time_of_use_price_by_band(open_as: OpenAs) -> None:
    page = open_as("admin", "/console/admin")
    dialog = new_electricity_price(page)
    bands = dialog.locator("[data-test=tier-band]")
    for i, band in enumerate(("峰", "平", "谷")):
        bands.nth(i).click()
        options = page.locator(".el-select-dropdown__item:visible")
        options.filter(has_text=re.compile(f"^{band}$")).click()
        expect(options).to_have_count(0)  # closed before the next one opens
        expect(bands.nth(i)).to_contain_text(band)
    from_new_year(page, dialog)
    shot(page, "admin/tariff-time-of-use.png")
    dialog.locator("[data-test=tariff-submit]").click()
    expect(dialog).to_be_hidden()
    rows = page.locator("[data-test=tariff-table] .el-table__body tr").filter(has_text="电费")
    expect(rows.first).to_contain_text("峰 ¥0.5283 · 平 ¥0.5783 · 谷 ¥0.8283")
