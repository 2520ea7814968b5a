"""The owner's phone pages in the built app at 360x740: a bill with its readings and the
12-month chart, paid through the sandbox; a repair filed with a photo; a notice read; another
owner's bill is not found. Screenshots go to docs/screenshots/owner/ for docs/owners.md."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from hub.context import HubContext
from hub.services import notices, outbox
from hub.services.billing import run_billing
from hub.services.site import LoadResult
from hub.storage.models import Bill, Device, Home, Reading, User
from tests.web.conftest import DESKTOP, PHONE, OpenAs, shot

pytestmark = pytest.mark.browser

RECEIVED = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


def _monthly(session: Session, code: str, metric: str, start: str, steps: list[str]) -> None:
    """One reading at the end of each month from Nov 2025 on, the register rising by `steps`."""
    device_id = session.scalars(sa.select(Device.id).where(Device.code == code)).one()
    value = Decimal(start)
    for index, step in enumerate(steps):
        year, month = divmod(10 + index, 12)  # Nov 2025, Dec 2025, Jan 2026, ...
        ts = datetime(2025 + year, month + 1, 28, 12, 0, tzinfo=UTC)
        session.add(
            Reading(device_id=device_id, metric=metric, ts=ts, value=value, received_at=RECEIVED)
        )
        value += Decimal(step)
    session.flush()


@pytest.fixture
def estate(context: HubContext, site: LoadResult) -> dict[str, int]:
    """A year of meter readings, October billed, a notice and a message for owner101."""
    now = context.clock.now()
    with context.db.session() as session:
        # October (the 11th step): 250 kWh and 12.5 m3, as in tests/api/test_billing_api.py
        steps = ["180", "220", "260", "210", "170", "150", "160", "230", "310", "290", "250", "90"]
        _monthly(session, "em-b1-101", "energy_kwh", "8000", steps)
        water = ["9", "10", "8", "11", "9", "10", "8", "11", "9", "10", "12.5", "4"]
        _monthly(session, "wm-b1-101", "water_m3", "300", water)
        _monthly(session, "em-b1-102", "energy_kwh", "100", ["50"] * 12)
        _monthly(session, "wm-b1-102", "water_m3", "10", ["1"] * 12)
        run_billing(session, period="2026-10", now=now)
        service = session.scalars(sa.select(User).where(User.username == "service")).one()
        notices.publish(
            session,
            title="物业服务中心办公时间",
            body="周一至周日 8:30–17:30，节假日照常。报修电话 24 小时有人接听。",
            by=service,
            now=now - timedelta(days=30),
            pinned=True,
        )
        notice = notices.publish(
            session,
            title="11月15日停水通知",
            body="因二次供水设备检修，11月15日 9:00–15:00 1号楼停水，请提前储水。",
            by=service,
            now=now,
        )
        owner = session.scalars(sa.select(User).where(User.username == "owner101")).one()
        for message in outbox.notify(
            session,
            site_id=notice.site_id,
            recipients=outbox.Recipients(usernames=(owner.username,)),
            title="您的 2026-10 账单已出",
            body="本月应缴 ¥409.58，可在“账单”中在线缴费。",
            source="billing",
            now=now,
        ):
            outbox.to_inbox(session, message, now)
        bills = {
            f"{home.building.code}/{home.code}": bill.id
            for bill, home in session.execute(
                sa.select(Bill, Home).join(Home, Home.id == Bill.home_id)
            )
        }
        return {"mine": bills["B1/101"], "other": bills["B1/102"], "notice": notice.id}


def small_png(width: int = 320, height: int = 200) -> bytes:
    """A real PNG (blue, a darker band across), as a phone's camera roll would hand over."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(
        b"\x00" + (b"\x10\x30\x70" if 80 <= y < 120 else b"\x20\x60\xc0") * width
        for y in range(height)
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"  # type: ignore[index]


def test_owner_opens_a_bill_and_pays_it_with_the_sandbox(
    open_as: OpenAs, estate: dict[str, int]
) -> None:
    page = open_as("owner101", "", PHONE)
    page.wait_for_url("**/m/owner")
    expect(page.locator("[data-test=unpaid-total]")).to_contain_text("¥409.58")
    expect(page.locator(".van-tabbar")).to_contain_text("账单")
    shot(page, "owner/home.png")

    page.locator(".van-tabbar-item", has_text="账单").click()
    expect(page.locator(f"[data-test=bill-{estate['mine']}]")).to_contain_text("¥409.58")
    expect(page.locator("[data-test=usage-chart] canvas")).to_be_visible()
    shot(page, "owner/bills.png")

    page.locator(f"[data-test=bill-{estate['mine']}]").click()
    lines = page.locator("[data-test=bill-line]")
    expect(lines.filter(has_text="第2档")).to_contain_text("¥28.92")
    readings = page.locator("[data-test=readings]").first
    expect(readings).to_contain_text("读数")
    expect(page.locator("[data-test=usage-chart] canvas")).to_be_visible()
    expect(page.locator("[data-test=bill-status]")).to_have_text("待缴费")
    expect(page.locator("[data-test=receipt-pdf]")).to_have_count(0)  # nothing paid yet
    _no_sideways_scroll(page)
    shot(page, "owner/bill.png")
    with page.expect_download() as bill_file:
        page.locator("[data-test=bill-pdf]").click()
    assert bill_file.value.suggested_filename == f"bill-2026-10-{estate['mine']}.pdf"
    assert Path(bill_file.value.path()).read_bytes().startswith(b"%PDF-")

    page.locator("[data-test=pay]").click()
    page.wait_for_url("**/api/v1/payments/sandbox/*")
    expect(page.locator("[data-amount]")).to_have_text("¥409.58")
    page.get_by_role("button", name="付款 Pay ¥409.58").click()
    page.locator("[data-test=back]").click()
    page.wait_for_url(f"**/m/owner/bills/{estate['mine']}")
    expect(page.locator("[data-test=bill-status]")).to_have_text("已缴费", timeout=15_000)
    payment = page.locator("[data-test=payment]")
    expect(payment).to_contain_text("在线支付（测试）")
    expect(page.locator("[data-test=bill-outstanding]")).to_contain_text("¥0.00")
    expect(page.locator("[data-test=balance]")).to_contain_text("¥0.00")
    expect(page.locator("[data-test=pay]")).to_have_count(0)
    expect(page.locator(".van-toast")).to_be_hidden()
    shot(page, "owner/bill-paid.png")
    with page.expect_download() as receipt:
        page.locator("[data-test=receipt-pdf]").click()
    assert receipt.value.suggested_filename == f"receipt-2026-10-{estate['mine']}.pdf"


def test_another_owners_bill_is_not_found(open_as: OpenAs, estate: dict[str, int]) -> None:
    page = open_as("owner101", f"/m/owner/bills/{estate['other']}", PHONE)
    expect(page.locator("[data-test=not-found]")).to_contain_text("不存在，或无权查看")
    expect(page.locator("[data-test=bill-lines]")).to_have_count(0)
    expect(page.locator("[data-test=pay]")).to_have_count(0)


def test_owner_files_a_repair_with_a_photo(open_as: OpenAs, estate: dict[str, int]) -> None:
    page = open_as("owner101", "/m/owner/repairs", PHONE)
    expect(page.locator("[data-test=empty]")).to_contain_text("还没有报修")
    page.locator("[data-test=new-repair]").click()
    form = page.locator("[data-test=repair-form]")
    form.locator("select[name=category]").select_option("plumbing")
    form.locator("input[name=title]").fill("厨房水龙头漏水")
    form.locator("textarea[name=description]").fill("水槽下方一直滴水，工作日晚上在家。")
    form.locator("[data-test=photo]").set_input_files(
        {"name": "leak.png", "mimeType": "image/png", "buffer": small_png()}
    )
    expect(form.locator("img")).to_be_visible()
    _no_sideways_scroll(page)
    shot(page, "owner/repair-form.png")
    form.locator("[data-test=send-repair]").click()

    page.wait_for_url("**/m/owner/repairs/*")
    expect(page.locator("[data-test=repair-status]")).to_have_text("已提交")
    expect(page.locator("[data-test=repair-photo]")).to_be_visible()
    expect(page.locator("[data-test=timeline]")).to_contain_text("已提交")
    expect(page.locator(".van-toast")).to_be_hidden()
    shot(page, "owner/repair.png")

    page.locator(".van-tabbar-item", has_text="报修").click()
    expect(page.locator("[data-test=repair]")).to_have_count(1)
    expect(page.locator("[data-test=repair]")).to_contain_text("厨房水龙头漏水")
    expect(page.locator("[data-test=repair]")).to_contain_text("水管漏水")
    shot(page, "owner/repairs.png")


def test_owner_reads_a_notice_and_a_message(open_as: OpenAs, estate: dict[str, int]) -> None:
    page = open_as("owner101", "/m/owner/notices", PHONE)
    notice = page.locator("[data-test=notice]", has_text="11月15日停水通知")
    expect(notice).to_have_attribute("data-new", "true")
    expect(notice).to_contain_text("新")
    pinned = page.locator("[data-test=notice]", has_text="办公时间")
    expect(pinned).to_contain_text("置顶")
    expect(page.locator("[data-test=notice]").first).to_contain_text("办公时间")
    shot(page, "owner/notices.png")
    notice.click()
    page.wait_for_url(f"**/m/owner/notices/{estate['notice']}")
    expect(page.locator("[data-test=notice-detail]")).to_contain_text("请提前储水")
    shot(page, "owner/notice.png")
    page.locator(".van-tabbar-item", has_text="公告").click()
    expect(notice).to_be_visible()
    expect(notice).not_to_have_attribute("data-new", "true")

    page.locator(".van-tabbar-item", has_text="我的").click()
    message = page.locator("[data-test=message]", has_text="账单已出")
    expect(message.locator("[data-test=unread]")).to_be_visible()
    message.click()
    expect(message.locator("[data-test=read]")).to_be_visible()
    expect(page.locator("[data-test=inbox]")).to_contain_text("可在“账单”中在线缴费")
    expect(page.locator("[data-test=account-link]")).to_be_visible()
    shot(page, "owner/me.png")
    page.reload()
    expect(page.locator("[data-test=message]", has_text="账单已出")).to_contain_text("已读")

    page.locator("[data-test=language]").select_option("en")
    expect(page.locator(".van-tabbar")).to_contain_text("Bills")
    expect(page.locator(".van-cell-group__title", has_text="Messages")).to_be_visible()
    page.locator(".van-tabbar-item", has_text="Bills").click()
    expect(page.locator("[data-test=bill-list]")).to_contain_text("Unpaid")
    _no_sideways_scroll(page)
    shot(page, "owner/bills-en.png")


def test_the_phone_layout_holds_on_a_desktop_screen(
    open_as: OpenAs, estate: dict[str, int]
) -> None:
    page = open_as("owner101", f"/m/owner/bills/{estate['mine']}", DESKTOP)
    expect(page.locator("[data-test=bill-total]")).to_have_text("¥409.58")
    expect(page.locator("[data-test=usage-chart] canvas")).to_be_visible()
    _no_sideways_scroll(page)
    shot(page, "owner/bill-desktop.png")
