"""The pages in a real browser (Debian's Chromium through Playwright), served by uvicorn.

The control room: log in, change the initial password, see a leak alert arrive live, acknowledge
it and see who and when. The owner page: submit a repair request with a photo. Any request to a
host other than the hub fails the test: the pages must work with no internet.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, Request, expect, sync_playwright
from sqlalchemy import select

from adapters.sms import read_sink, sms_provider
from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import BillStatus, Utility
from hub.services import outbox
from hub.services.site import LoadResult
from hub.storage.models import Bill, BillLine, Building, Home, Meter, Reading, Tariff
from tests.api.conftest import JPEG
from tests.conftest import IN_CI
from tests.support.server import serving
from tests.support.worker import make_worker, publish

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def hub_url(context: HubContext, site: LoadResult) -> Iterator[str]:
    """The hub's app served by uvicorn in a thread, on a free port, over the test database."""
    with serving(context) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the module; each test gets its own context (no shared storage)."""
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("CI=true but /usr/bin/chromium is missing (apt-get install -y chromium)")
        pytest.skip("Debian's Chromium is not at /usr/bin/chromium (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, hub_url: str) -> Iterator[Page]:
    """A phone-sized-or-larger tab in Shanghai time that records errors and foreign requests."""
    context = browser.new_context(
        timezone_id="Asia/Shanghai", locale="zh-CN", viewport={"width": 1200, "height": 800}
    )
    tab = context.new_page()
    problems: list[str] = []
    hub_host = urlparse(hub_url).netloc

    def check_request(request: Request) -> None:
        if urlparse(request.url).netloc not in (hub_host, ""):
            problems.append(f"fetched from outside: {request.url}")

    tab.on("request", check_request)
    tab.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    tab.on("console", lambda m: problems.append(m.text) if _is_problem(m.type, m.text) else None)
    yield tab
    context.close()
    assert problems == []


def _is_problem(kind: str, text: str) -> bool:
    """Console errors count, except the browser's note on an HTTP error the page handles."""
    return kind == "error" and not text.startswith("Failed to load resource")


def _log_in(page: Page, username: str, initial: str) -> None:
    """Log in with the initial password and change it on the form the page then shows."""
    page.fill("#login-form input[name=username]", username)
    page.fill("#login-form input[name=password]", initial)
    page.click("#login-form button[type=submit]")
    new = initial + "Xy9!"
    page.fill("#password-form input[name=new_password]", new)
    page.fill("#password-form input[name=repeat_password]", new)
    page.click("#password-form button[type=submit]")


@pytest.fixture
def hub_worker(
    context: HubContext, site: LoadResult, mqtt_url: str, topic_prefix: str
) -> Iterator[None]:
    """The hub worker (ingest + rules) on its own event loop, beside the served pages."""
    worker = make_worker(context, mqtt_url, topic_prefix)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(target=loop.run_until_complete, args=(worker.run(stop),), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not worker.connected.is_set():
        assert thread.is_alive() and time.monotonic() < deadline, "the worker did not connect"
        time.sleep(0.02)
    yield
    loop.call_soon_threadsafe(stop.set)
    thread.join(15)


def test_operator_sees_a_leak_live_and_acknowledges_it(
    page: Page,
    hub_url: str,
    hub_worker: None,
    site: LoadResult,
    clock: FakeClock,
    mqtt_url: str,
    topic_prefix: str,
    tmp_path: Path,
) -> None:
    """The leak sensor publishes over MQTT; the worker's rule raises the alert; the operator's
    page shows it live and acknowledges it."""
    page.goto(hub_url + "/")
    _log_in(page, "operator", site.new_accounts["operator"])
    expect(page.locator("#live-status")).to_have_attribute("data-state", "open")
    expect(page.locator("#alerts")).to_contain_text("暂无活动告警 No active alerts")

    leak = (f"{topic_prefix}/green-garden/leak-b1-101/telemetry", '{"water_leak": true}', False)
    publish(mqtt_url, [leak])
    item = page.locator("[data-alert-id]").filter(has_text="漏水 Water leak")
    expect(item).to_contain_text("1号楼101厨房 B1-101 kitchen")
    expect(item).to_have_class(re.compile(r"\bsev-critical\b"))
    expect(page).to_have_title(re.compile(r"^\(1\) "))

    clock.set(clock.now().replace(minute=2, second=30))
    item.get_by_role("button", name="确认 Acknowledge").click()
    expect(item.locator(".acked")).to_have_text(
        "✔ 已确认 Acknowledged: operator · 2026/11/10 10:02:30"
    )
    expect(item.get_by_role("button")).to_have_count(0)
    page.screenshot(path=tmp_path / "control-room.png", full_page=True)


def test_the_page_renews_an_expired_token_and_logs_out_on_the_hub(
    page: Page, hub_url: str, site: LoadResult, clock: FakeClock
) -> None:
    """Past the access token's 15 minutes the page stays logged in (it refreshes on the 401, and
    the live feed reconnects); "Log out" ends the session on the hub, not just in the tab."""
    page.goto(hub_url + "/")
    _log_in(page, "operator", site.new_accounts["operator"])
    expect(page.locator("#live-status")).to_have_attribute("data-state", "open")
    clock.advance(timedelta(minutes=20))
    page.reload()
    expect(page.locator("#logout")).to_be_visible()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "open")
    stored = json.loads(page.evaluate("sessionStorage.getItem('estate-hub-session')"))
    page.click("#logout")
    expect(page.locator("#login-form")).to_be_visible()
    refused = page.request.post(
        hub_url + "/api/v1/auth/refresh", data={"refresh_token": stored["refresh"]}
    )
    assert refused.status == 401


def test_owner_submits_a_repair_request_with_a_photo(
    page: Page, hub_url: str, site: LoadResult, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})  # owners use phones
    page.goto(hub_url + "/owner")
    _log_in(page, "owner101", site.new_accounts["owner101"])
    form = page.locator("#repair-form")
    expect(form.locator("select[name=home_id]")).to_contain_text("B1/101")
    form.locator("input[name=title]").fill("厨房水龙头漏水 Kitchen tap leaks")
    form.locator("textarea[name=description]").fill("drips all night")
    form.locator("input[name=photo]").set_input_files(
        {"name": "tap.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
    )
    form.locator("button[type=submit]").click()
    expect(form.locator(".msg")).to_contain_text("Submitted as #")
    order = page.locator("#repairs-list [data-order-id]")
    expect(order).to_contain_text("已提交 Submitted")
    expect(order).to_contain_text("厨房水龙头漏水 Kitchen tap leaks")
    expect(page.locator("#notices")).to_contain_text("暂无通知 No notices")
    page.screenshot(path=tmp_path / "owner.png", full_page=True)


def _bill_for_owner101(context: HubContext, clock: FakeClock) -> int:
    """An unpaid October bill for B1/101 with one electricity line between two readings."""
    with context.db.session() as session:
        home = session.scalars(
            select(Home).join(Building).where(Building.code == "B1", Home.code == "101")
        ).one()
        meter = session.scalars(
            select(Meter).where(Meter.home_id == home.id, Meter.utility == Utility.ELECTRICITY)
        ).one()
        tariff = session.scalars(select(Tariff).where(Tariff.utility == Utility.ELECTRICITY)).one()
        start, end = (
            Reading(
                device_id=meter.device_id,
                metric="energy_kwh",
                ts=datetime(2026, 10, day, 16, tzinfo=UTC),
                value=Decimal(value),
                received_at=clock.now(),
            )
            for day, value in ((1, "1000"), (31, "1150"))
        )
        session.add_all([start, end])
        session.flush()
        bill = Bill(
            home_id=home.id,
            period="2026-10",
            total=Decimal("79.25"),
            status=BillStatus.UNPAID,
            issued_at=clock.now(),
        )
        bill.lines = [
            BillLine(
                utility=Utility.ELECTRICITY,
                description="电费 Electricity",
                quantity=Decimal("150"),
                unit="kWh",
                unit_price=Decimal("0.5283"),
                amount=Decimal("79.25"),
                meter_id=meter.id,
                start_reading_id=start.id,
                end_reading_id=end.id,
                tariff_id=tariff.id,
                tariff_version=tariff.version,
                tier=1,
            )
        ]
        session.add(bill)
        session.flush()
        return bill.id


def test_owner_sees_a_bill_with_its_readings_and_pays_it(
    page: Page,
    hub_url: str,
    site: LoadResult,
    context: HubContext,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    bill_id = _bill_for_owner101(context, clock)
    page.goto(hub_url + "/owner")
    _log_in(page, "owner101", site.new_accounts["owner101"])
    bill = page.locator(f"[data-bill-id='{bill_id}']")
    expect(bill).to_contain_text("2026-10 B1/101")
    expect(bill).to_contain_text("待缴 Unpaid")
    expect(bill.locator("tbody tr")).to_contain_text("1000 (2026/10/2 00:00:00) → 1150")
    expect(bill.locator("tbody tr")).to_contain_text("¥79.25")
    with page.context.expect_page() as opened:
        bill.get_by_role("button", name=re.compile("去付款 Pay ¥79.25")).click()
    pay_page = opened.value
    expect(pay_page.locator("[data-amount]")).to_have_text("¥79.25")
    expect(bill).to_contain_text("待缴 Unpaid")  # not paid until the provider says so
    pay_page.get_by_role("button", name=re.compile("付款 Pay")).click()
    expect(pay_page.locator("h1")).to_contain_text("付款已提交 Payment sent")
    # the sandbox's signed notification reached the hub; the page saw the bill turn paid
    expect(page.locator(f"[data-bill-id='{bill_id}']")).to_contain_text("已缴 Paid")
    expect(page.locator(f"[data-bill-id='{bill_id}']")).to_contain_text("沙箱 Sandbox SBX")
    expect(page.locator("#bills").get_by_role("button")).to_have_count(0)
    page.screenshot(path=tmp_path / "owner-bill.png", full_page=True)


def test_owner_resets_a_forgotten_password_with_the_sms_code(
    page: Page, hub_url: str, site: LoadResult, context: HubContext, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(hub_url + "/owner")
    page.screenshot(path=tmp_path / "owner-login.png")
    page.click("#forgot")
    page.fill("#reset-request-form input[name=account]", "138 1234 5678")  # as people type it
    page.click("#reset-request-form button[type=submit]")
    expect(page.locator("#reset-confirm-form")).to_contain_text("10分钟内有效")
    page.screenshot(path=tmp_path / "owner-reset.png", full_page=True)
    channel = outbox.SmsChannel(sms_provider(context.settings, context.clock), context.db.session)
    sent = outbox.deliver_pending(
        context.db.session, now=context.clock.now(), channel=channel, medium=outbox.Medium.SMS
    )
    assert sent == 1  # what the dispatcher of the running hub does each second
    [sms] = read_sink(context.settings.resolved_sms_sink())
    code = re.search(r"验证码是 (\d{6})", sms.text)
    assert sms.phone == "13812345678" and code is not None
    new = "Reset-Pass-2026"
    page.fill("#reset-confirm-form input[name=code]", code.group(1))
    page.fill("#reset-confirm-form input[name=new_password]", new)
    page.fill("#reset-confirm-form input[name=repeat_password]", new)
    page.click("#reset-confirm-form button[type=submit]")
    expect(page.locator("#login-form .msg")).to_contain_text("Password reset")
    expect(page.locator("#login-form input[name=username]")).to_have_value("owner101")
    page.fill("#login-form input[name=password]", new)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#repair-form")).to_be_visible()  # no forced change: the owner chose it
