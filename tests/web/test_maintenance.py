"""Maintenance in the built app: the console (desktop 1440x900) lists the estate's tasks with
overdue and done-late ones marked, and its plans, also from an asset's ledger page; the
technician (phone 360x740) opens a task, starts it, answers the checklist with a value outside
its limits and a photo, and submits: the failed item's fault work order is shown. Data comes
from the demo's seeding (hub/cli/demo_maintenance.py). Screenshots go to docs/screenshots/ for
docs/maintenance.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from hub.cli import demo_maintenance
from hub.clock import FakeClock
from hub.context import HubContext
from hub.services.site import LoadResult
from tests.api.conftest import JPEG
from tests.support.maintenance import asset_id
from tests.web.conftest import PHONE, OpenAs, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(context: HubContext, clock: FakeClock, site: LoadResult) -> None:
    with context.db.session() as session:
        demo_maintenance.seed(session, now=clock.now(), var_dir=context.settings.var_dir)


@pytest.mark.usefixtures("seeded")
def test_the_console_shows_tasks_overdue_and_done_late_and_the_plans(
    open_as: OpenAs, context: HubContext, site: LoadResult
) -> None:
    page = open_as("admin", "/console/maintenance")
    table = page.locator("[data-test=task-table]")
    expect(table).to_contain_text("EL-B1-1")
    states = table.locator("[data-test=task-state]")
    expect(states.filter(has_text="已逾期")).to_have_count(1)
    expect(states.filter(has_text="超期完成")).to_have_count(1)
    expect(states.filter(has_text="已完成").first).to_be_visible()
    page.wait_for_timeout(500)  # the tags' fade-in
    shot(page, "admin/maintenance-tasks.png")
    page.get_by_role("tab", name="保养计划").click()
    plans = page.locator("[data-test=plan-table]")
    expect(plans).to_contain_text("每 15 天")
    expect(plans).to_contain_text("每 500 运行小时")
    expect(plans).to_contain_text("全部电梯")
    expect(plans).to_contain_text("WP-1")
    page.wait_for_timeout(500)
    shot(page, "admin/maintenance-plans.png")
    page.goto(f"{page.url.split('/console')[0]}/console/assets/{asset_id(context, site, 'FAP-1')}")
    page.locator("[data-test=asset-maintenance]").click()
    expect(page.locator("[data-test=asset-filter]")).to_contain_text("FAP-1")
    rows = page.locator("[data-test=task-table] .el-table__body tr")
    expect(rows.first).to_contain_text("FAP-1")
    expect(page.locator("[data-test=task-table]")).not_to_contain_text("EL-B1-1")


@pytest.mark.usefixtures("seeded")
def test_the_technician_does_a_task_and_a_value_outside_its_limits_opens_a_fault(
    open_as: OpenAs, tmp_path: Path
) -> None:
    page = open_as("tech", "/m/tech/maintenance", PHONE)
    mine = page.locator("[data-test=my-task]")
    expect(mine.filter(has_text="已逾期")).to_have_count(1)
    shot(page, "technician/maintenance-tasks.png")
    mine.filter(has_text="EL-B1-1").filter(has_text="待保养").last.click()
    page.locator("[data-test=task-start]").click()
    expect(page.locator("[data-test=task-state]")).to_have_text("进行中")
    items = page.locator("[data-test=check-item]")
    items.nth(0).locator("[data-test=pass]").click()
    gap = items.nth(1)
    expect(gap.locator("[data-test=limits]")).to_have_text("标准 0.2 – 0.7 mm")
    gap.locator("[data-test=value] input").fill("0.9")
    expect(gap).to_contain_text("超出标准")
    alarm = items.nth(2)
    alarm.locator("[data-test=pass]").click()
    photo = tmp_path / "alarm.jpg"
    photo.write_bytes(JPEG)
    alarm.locator("[data-test=photo-input]").set_input_files(str(photo))
    expect(alarm.locator("[data-test=photo-taken]")).to_be_visible()
    items.nth(3).locator("[data-test=value] input").fill("3")
    page.wait_for_timeout(2500)  # the upload's toast fades
    shot(page, "technician/maintenance-task.png")
    page.locator("[data-test=task-complete]").click()
    expect(page.locator("[data-test=task-state]")).to_have_text("已完成")
    expect(gap.locator("[data-test=fault]")).to_contain_text("已生成故障工单")
    expect(items.nth(0).locator("[data-test=result]")).to_contain_text("合格")
    page.wait_for_timeout(2500)
    shot(page, "technician/maintenance-done.png")


def test_an_admin_writes_a_plan_with_a_measured_check_and_edits_it(
    open_as: OpenAs, context: HubContext, site: LoadResult
) -> None:
    page = open_as("admin", "/console/maintenance")
    page.get_by_role("tab", name="保养计划").click()
    page.locator("[data-test=plan-new]").click()
    dialog = page.locator("[data-test=plan-dialog]")
    dialog.locator("[data-test=plan-code]").fill("AG-M")
    dialog.locator("[data-test=plan-name]").fill("道闸月检 Gate monthly check")
    dialog.locator("[data-test=plan-class]").click()
    page.locator(".el-select-dropdown__item:visible").filter(has_text="道闸").click()
    dialog.locator("[data-test=plan-unit]").click()
    page.locator(".el-select-dropdown__item:visible").filter(has_text="个月").click()
    dialog.locator("[data-test=plan-every] input").fill("1")
    dialog.locator("[data-test=plan-category]").fill("security")
    dialog.locator("[data-test=plan-add-item]").click()
    item = dialog.locator("[data-test=plan-item]").first
    item.locator("input").first.fill("电源电压 Supply voltage")
    item.locator(".el-select").click()
    page.locator(".el-select-dropdown__item:visible").filter(has_text="测量值").click()
    item.get_by_placeholder("下限").fill("200")
    item.get_by_placeholder("上限").fill("240")
    item.get_by_placeholder("单位").fill("V")
    page.wait_for_timeout(400)  # the dialog's fade-in, for the screenshot
    shot(page, "admin/maintenance-plan-new.png")
    dialog.locator("[data-test=plan-save]").click()
    expect(dialog).to_be_hidden()
    row = page.locator("[data-test=plan-table] .el-table__body tr").filter(has_text="AG-M")
    expect(row).to_contain_text("每 1 个月")
    expect(row).to_contain_text("全部道闸")

    row.locator("[data-test=plan-edit]").click()
    dialog.locator("[data-test=plan-name]").fill("道闸月检（含抬杆测试）")
    dialog.locator("[data-test=plan-save]").click()
    expect(dialog).to_be_hidden()
    expect(row).to_contain_text("道闸月检（含抬杆测试）")
