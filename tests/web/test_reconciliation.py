"""对账 in the finance console (desktop 1440x900, and a phone's width): owners paid through the
sandbox, one notification was lost; finance downloads the sandbox's statement of the day,
imports it, notes the difference and signs the day off. Screenshots for docs/finance.md."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services.billing import run_billing
from hub.services.payment_providers import sandbox
from hub.services.payments import handle_notification, start_payment
from hub.services.reconciliation.sandbox import settle
from hub.services.site import LoadResult
from hub.storage.models import Bill, Building, Home, User
from tests.web.conftest import OpenAs, shot
from tests.web.test_finance import at_hub_time

pytestmark = pytest.mark.browser
PHONE = (390, 844)


@pytest.fixture
def paid_online(context: HubContext, site: LoadResult) -> None:
    """October billed; B1/101's owner paid through the sandbox, B1/102's too but the sandbox's
    notification never reached the hub."""
    provider = sandbox(context.settings)
    now = context.clock.now()
    with context.db.session() as s:
        run_billing(s, period="2026-10", now=now)
        for home, delivered in (("101", True), ("102", False)):
            bill = s.scalars(
                sa.select(Bill)
                .join(Home, Home.id == Bill.home_id)
                .join(Building, Building.id == Home.building_id)
                .where(Building.code == "B1", Home.code == home)
            ).one()
            owner = s.scalars(sa.select(User).where(User.username == f"owner{home}")).one()
            intent, _ = start_payment(s, bill_id=bill.id, owner=owner, provider=provider, now=now)
            headers, body = settle(s, provider, intent, now=now)
            if delivered:
                handle_notification(s, verifier=provider, headers=headers, body=body, now=now)


def reconciliation(page: Page) -> Page:
    page.get_by_role("tab", name="对账").click()
    expect(page.locator("[data-test=recon-day]")).to_be_visible()
    return page


def test_finance_imports_the_days_statement_notes_and_signs_off(
    open_as: OpenAs, paid_online: None, clock: FakeClock, tmp_path: Path
) -> None:
    page = reconciliation(at_hub_time(open_as("finance", "/console/finance"), clock))
    days = page.locator("[data-test=recon-days]")
    expect(days.locator(".el-table__body tr").first).to_contain_text("2026-11-10")
    expect(days.locator("[data-state=no_statement]").first).to_contain_text("未导入")
    day = page.locator("[data-test=recon-day]")
    expect(day.locator("[data-test=recon-figures]")).to_contain_text("我方 1 笔 ¥223.75")

    with page.expect_download() as download:
        day.locator("[data-test=recon-sandbox-statement]").click()
    statement = tmp_path / "sandbox-2026-11-10.csv"
    download.value.save_as(statement)
    day.locator("[data-test=recon-file]").set_input_files(str(statement))
    day.locator("[data-test=recon-upload]").click()
    expect(day).to_have_attribute("data-state", "open")
    expect(day.locator("[data-test=recon-figures]")).to_contain_text(
        "对账单 2 行 · 已匹配 1 · 差异 1 · 未备注 1"
    )
    items = day.locator("[data-test=recon-items] .el-table__body tr")
    expect(items.first.locator("[data-kind=missing_ours]")).to_have_text("我方缺失")
    expect(items.first).to_contain_text("B1/102 2026-10")
    expect(day.locator("[data-test=recon-sign-off]")).to_be_disabled()
    shot(page, "finance/reconciliation.png")

    items.first.locator("[data-test=recon-note-button]").click()
    box = page.locator(".el-message-box")
    box.locator("textarea").fill("通知丢失，已向沙箱核实到账 notification lost; money confirmed")
    box.locator(".el-button--primary").click()
    expect(items.first.locator("[data-test=recon-note]")).to_contain_text("通知丢失")
    day.locator("[data-test=recon-sign-off]").click()
    page.locator(".el-message-box .el-button--primary").click()
    expect(day).to_have_attribute("data-state", "signed_off")
    expect(day.locator("[data-test=recon-signed]")).to_contain_text("签核；本日已锁定")
    expect(day.locator("[data-test=recon-file]")).to_have_count(0)  # a locked day takes no file
    expect(days.locator("[data-state=signed_off]")).to_have_text("已签核")
    expect(days.locator(".el-loading-mask")).to_have_count(0)
    shot(page, "finance/reconciliation-signed-off.png")


def test_a_bad_file_is_refused_naming_its_line(
    open_as: OpenAs, paid_online: None, clock: FakeClock, tmp_path: Path
) -> None:
    page = reconciliation(at_hub_time(open_as("finance", "/console/finance", PHONE), clock))
    bad = tmp_path / "statement.csv"
    bad.write_bytes(
        "# Estate Hub sandbox statement 沙箱对账单,2026-11-10\r\n"
        "settled_at,transaction_id,out_trade_no,kind,amount,refund_no\r\n"
        "2026-11-10T10:00:00+08:00,SBX1,EH1,payment,4O9.58,\r\n# rows,1\r\n".encode()
    )
    day = page.locator("[data-test=recon-day]")
    day.locator("[data-test=recon-file]").set_input_files(str(bad))
    day.locator("[data-test=recon-upload]").click()
    refusal = day.locator("[data-test=recon-refusal]")
    expect(refusal).to_contain_text("对账单文件无法读取")
    expect(refusal).to_contain_text("line 3 (第 3 行): amount '4O9.58' is not an amount in yuan")
    shot(page, "finance/reconciliation-phone.png")
