"""The control room's alarms in the built app, at the desktop (1440x900) and the wall screen
(1920x1080): a leak that cleared before anyone looked still waits for its acknowledgement; an
event alarm is closed with a note; the detail shows the readings around the raise and who did
what. Screenshots go to docs/screenshots/operator/ for docs/operators.md."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Locator, Page, expect

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import Severity
from hub.services.site import LoadResult
from hub.storage.models import Reading
from tests.api.alarm_support import raise_on
from tests.support.worker import make_worker, publish
from tests.web.conftest import DESKTOP, WALL, OpenAs, shot

pytestmark = pytest.mark.browser

VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, WALL], ids=["desktop", "wall"])


def _size(viewport: tuple[int, int]) -> str:
    return "wall" if viewport == WALL else "desktop"


@pytest.fixture
def hub_worker(
    context: HubContext, site: LoadResult, mqtt_url: str, topic_prefix: str
) -> Iterator[None]:
    """The hub worker (ingest + rules) on its own event loop, beside the served app."""
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


def _row(page: Page, text: str) -> Locator:
    return page.locator("[data-test=alarm-table] .el-table-v2__row").filter(has_text=text)


def _note(page: Page, text: str) -> None:
    """Type `text` in the note dialog and confirm it."""
    dialog = page.locator(".alarm-note-dialog")
    dialog.locator("textarea").fill(text)
    dialog.locator(".el-button--primary").click()
    expect(dialog).to_be_hidden()


@VIEWPORTS
def test_a_leak_cleared_before_anyone_looked_waits_for_its_acknowledgement(
    open_as: OpenAs,
    hub_worker: None,
    mqtt_url: str,
    topic_prefix: str,
    clock: FakeClock,
    viewport: tuple[int, int],
) -> None:
    page = open_as("operator", "/console/alarms", viewport)
    expect(page.locator("[data-test=live-state]")).to_have_attribute("data-state", "live")
    expect(page.locator("[data-test=alarm-table]")).to_contain_text("没有待处理的报警")
    topic = f"{topic_prefix}/green-garden/leak-b1-101/telemetry"

    publish(mqtt_url, [(topic, '{"water_leak": true}', False)])
    row = _row(page, "漏水 Water leak")
    expect(row).to_contain_text("1号楼101厨房 B1-101 kitchen")
    expect(row.locator("[data-severity]")).to_have_text("紧急")
    expect(page).to_have_title(re.compile(r"^\(1\) 报警"))
    expect(page.locator("[data-test=bell]")).to_have_attribute("data-state", "ringing")

    clock.advance(timedelta(seconds=11))
    publish(mqtt_url, [(topic, '{"water_leak": false}', False)])
    expect(row.locator("[data-test=alarm-state]")).to_have_text("已恢复·未确认")
    page.wait_for_timeout(1500)  # it stays: nobody has acknowledged it
    expect(row).to_have_count(1)
    expect(page).to_have_title(re.compile(r"^\(1\) 报警"))
    expect(page.locator("[data-test=unacked-count]")).to_have_text("1 条未确认")
    shot(page, f"operator/alarms-cleared-unacknowledged-{_size(viewport)}.png")

    page.locator("[data-test=mute]").click()
    expect(page.locator("[data-test=bell]")).to_have_attribute("data-state", "muted")
    row.locator("[data-test=ack]").click()
    expect(row).to_have_count(0)
    expect(page).to_have_title("报警 · Estate Hub")
    expect(page.locator("[data-test=bell]")).to_have_attribute("data-state", "quiet")

    page.locator("[data-test=filter-state]").click()
    page.locator(".el-select-dropdown__item").filter(has_text="已关闭").click()
    expect(_row(page, "漏水 Water leak").locator("[data-test=alarm-state]")).to_have_text("已关闭")


@VIEWPORTS
def test_an_event_alarm_is_closed_with_a_note(
    open_as: OpenAs, context: HubContext, viewport: tuple[int, int]
) -> None:
    page = open_as("operator", "/console/alarms", viewport)
    expect(page.locator("[data-test=live-state]")).to_have_attribute("data-state", "live")
    raise_on(context, "leak-b1-102")
    raise_on(context, "pump-1", severity=Severity.MAJOR, title="水泵压力低 Pump pressure low")
    raise_on(
        context,
        "gate-north",
        severity=Severity.WARNING,
        title="门禁拒绝 Access denied: 北门",
        rule_id="access-denied",
    )
    rows = page.locator("[data-test=alarm-table] .el-table-v2__row")
    expect(rows).to_have_count(3)
    titles = page.locator("[data-test=alarm-table] [data-test=alarm-title]")
    expect(titles).to_have_text(  # worst first
        ["漏水 Water leak", "水泵压力低 Pump pressure low", "门禁拒绝 Access denied: 北门"]
    )
    expect(page).to_have_title(re.compile(r"^\(3\) "))
    shot(page, f"operator/alarms-list-{_size(viewport)}.png")

    swipe = _row(page, "门禁拒绝")
    swipe.locator("[data-test=close]").click()
    expect(page.locator(".alarm-note-dialog")).to_contain_text("处理说明")
    if viewport == DESKTOP:
        shot(page, "operator/alarms-close-with-note.png")
    _note(page, "访客卡过期，已人工放行 visitor card expired, let in by the guard")
    expect(swipe).to_have_count(0)
    expect(page).to_have_title(re.compile(r"^\(2\) "))

    page.locator("[data-test=filter-kind]").click()
    page.locator(".el-select-dropdown__item").filter(has_text="水泵").click()
    page.keyboard.press("Escape")
    expect(titles).to_have_text(["水泵压力低 Pump pressure low"])
    page.locator("input[data-test=filter-search], [data-test=filter-search] input").fill("kitchen")
    expect(page.locator("[data-test=alarm-table]")).to_contain_text("没有待处理的报警")


@VIEWPORTS
def test_the_detail_shows_the_readings_around_the_raise_and_who_did_what(
    open_as: OpenAs, context: HubContext, clock: FakeClock, viewport: tuple[int, int]
) -> None:
    raised_at = clock.now()
    leak = raise_on(context, "leak-b1-101")
    with context.db.session() as session:
        for minutes in range(-110, 111, 10):
            at = raised_at + timedelta(minutes=minutes)
            wet = 1 if 0 <= minutes <= 40 else 0
            session.add(
                Reading(
                    device_id=leak["device_id"],
                    metric="water_leak",
                    ts=at,
                    value=Decimal(wet),
                    received_at=at,
                )
            )
    page = open_as("operator", "/console/alarms", viewport)
    row = _row(page, "漏水 Water leak")
    clock.advance(timedelta(minutes=2))
    row.locator("[data-test=ack]").click()
    expect(row.locator("[data-test=alarm-state]")).to_have_text("报警中·已确认")
    row.locator("[data-test=comment]").click()
    _note(page, "已通知保安上门查看 guard sent")
    row.locator("[data-test=work-order]").click()
    page.locator("textarea[data-test=wo-note]").fill("请带管钳 bring a pipe wrench")
    submit = page.locator("[data-test=wo-submit]")
    submit.click()
    expect(submit).to_be_hidden()
    expect(row).to_contain_text("#")

    row.locator("[data-test=details]").click()
    drawer = page.locator("[data-test=alarm-detail]")
    expect(drawer.locator("[data-test=detail-device]")).to_contain_text(
        "厨房漏水传感器 Kitchen leak sensor · 漏水传感器"
    )
    expect(drawer.locator("[data-test=detail-place]")).to_contain_text("1号楼 Building 1 / 101")
    expect(drawer.locator("[data-test=detail-chart] canvas")).to_be_visible()
    history = drawer.locator("[data-test=detail-history] .el-timeline-item")
    expect(history).to_have_count(4)
    expect(history.nth(0)).to_contain_text("报警产生 · 系统")
    expect(history.nth(1)).to_contain_text("确认")
    expect(history.nth(2)).to_contain_text("已通知保安上门查看 guard sent")
    expect(history.nth(3)).to_contain_text("关联工单")
    expect(drawer.locator("[data-test=detail-order]")).to_contain_text("待受理")

    page.goto(f"/console/alarms/{leak['id']}")  # its own page, e.g. from a notification
    expect(page.locator("[data-test=detail-chart] canvas")).to_be_visible()
    expect(page.locator("[data-test=detail-history] .el-timeline-item")).to_have_count(4)
    page.wait_for_timeout(800)  # the chart's drawing animation
    shot(page, f"operator/alarm-detail-{_size(viewport)}.png")
