"""The site map, the device list and the health page in the browser, over the real hub.

Device state comes from the real detection: the worker stores a device's telemetry, then its
timer finds the device silent past its offline rule once the FakeClock has moved on; the map
hears it on the live feed and recolours the icon without a reload.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect

from adapters.mqtt.subscriber import ReceivedMessage
from hub.clock import FakeClock
from hub.context import HubContext
from hub.worker import HubWorker
from tests.web.conftest import DESKTOP, WALL, OpenAs, shot

PREFIX = "sitemap-web-test"
FLOOR_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 500">'
    '<rect x="10" y="10" width="780" height="480" fill="#fafafa" stroke="#556" stroke-width="6"/>'
    '<path d="M 400 10 V 490" stroke="#556" stroke-width="4"/>'
    '<text x="200" y="250" font-size="28" text-anchor="middle">201</text>'
    '<text x="600" y="250" font-size="28" text-anchor="middle">大堂 Lobby</text></svg>'
)


def _worker(context: HubContext) -> HubWorker:
    worker = HubWorker(
        context, "mqtt://127.0.0.1:1", context.settings.rules_file, topic_prefix=PREFIX
    )
    worker._connection(True)  # as when subscribed: silence counts from now
    return worker


def _speak(worker: HubWorker, clock: FakeClock, device: str, **values: float) -> None:
    body = {"ts": int(clock.now().timestamp() * 1000), "values": values}
    topic = f"{PREFIX}/green-garden/{device}/telemetry"
    worker.handle_batch([ReceivedMessage(topic, json.dumps(body).encode())])


def _heard(context: HubContext, clock: FakeClock) -> HubWorker:
    """Every device on the site plan speaks once: the map starts all green."""
    worker = _worker(context)
    _speak(worker, clock, "pump-1", pressure_bar=2.4, current_a=3.9)
    _speak(worker, clock, "gate-north", open=0)
    _speak(worker, clock, "smoke-b2-hall", smoke=0)
    _speak(worker, clock, "cpr-north", battery_v=3.6)
    return worker


def test_the_map_recolours_a_device_when_it_goes_offline(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    worker = _heard(context, clock)
    page = open_as("operator", "/console/sitemap")
    expect(page.locator("[data-test=plan-image]")).to_be_visible()
    pump = page.locator("[data-test=marker-pump-1]")
    expect(pump).to_have_attribute("data-state", "normal")
    clock.advance(timedelta(seconds=90))
    _speak(worker, clock, "gate-north", open=0)  # the gate keeps talking
    _speak(worker, clock, "smoke-b2-hall", smoke=0)
    _speak(worker, clock, "cpr-north", battery_v=3.6)
    clock.advance(timedelta(seconds=91))  # the pump: 181 s of silence, 3 heartbeats of 60 s
    worker.tick_once(clock.now())
    expect(pump).to_have_attribute("data-state", "offline")  # live, no reload
    expect(page.locator("[data-test=marker-gate-north]")).to_have_attribute("data-state", "normal")
    shot(page, "operator/sitemap.png")

    pump.click()
    drawer = page.locator(".el-drawer")
    expect(drawer).to_contain_text("生活水泵 Domestic water pump")
    expect(drawer.locator("[data-test=drawer-state]")).to_have_text("离线")
    expect(drawer.locator("[data-test=device-alerts]")).to_contain_text("设备离线 Device offline")
    expect(drawer.locator("[data-test=device-orders]")).to_contain_text("设备离线 Device offline")
    expect(drawer).to_contain_text("pressure_bar")
    expect(drawer.locator("[data-test=device-chart]")).to_be_visible()
    drawer.locator("[data-test=command-stop_pump]").click()
    confirm = page.locator(".el-message-box")
    expect(confirm).to_contain_text("停止水泵")
    shot(page, "operator/sitemap-command.png")
    confirm.get_by_role("button", name="停止水泵").click()
    expect(drawer.locator("[data-test=device-recent-commands]")).to_contain_text(
        "停止水泵 · 待发送"
    )
    shot(page, "operator/sitemap-device.png")


def test_the_site_map_on_the_wall_screen(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    _heard(context, clock)
    page = open_as("operator", "/console/sitemap", viewport=WALL)
    expect(page.locator("[data-test=marker-pump-1]")).to_have_attribute("data-state", "normal")
    shot(page, "operator/sitemap-wall.png")
    page.locator("[data-test=plan-select]").click()
    page.get_by_role("option", name=re.compile("1F")).click()
    expect(page.locator("[data-test=marker-leak-b1-101]")).to_be_visible()
    shot(page, "operator/sitemap-floor-wall.png")


def test_an_admin_uploads_a_floor_plan_and_places_a_device(open_as: OpenAs, tmp_path: Path) -> None:
    plan = tmp_path / "b2-1f.svg"
    plan.write_text(FLOOR_SVG, encoding="utf-8")
    page = open_as("admin", "/console/sitemap", viewport=DESKTOP)
    expect(page.locator("[data-test=plan-image]")).to_be_visible()
    page.locator("[data-test=upload-plan]").click()
    form = page.locator("[data-test=plan-form]")
    form.locator("[data-test=plan-building]").click()
    page.get_by_role("option", name="2号楼 Building 2").click()
    form.locator("input[name=floor]").fill("1F")
    form.locator("input[name=plan_name]").fill("2号楼一层 B2 ground floor")
    form.locator("input[name=plan_file]").set_input_files(str(plan))
    shot(page, "admin/sitemap-upload.png")
    page.locator("[data-test=plan-save]").click()
    expect(page.locator(".el-message--success")).to_contain_text("2号楼一层 B2 ground floor")
    expect(page.locator("[data-test=plan-select]")).to_contain_text("2号楼 Building 2 · 1F")

    page.locator("[data-test=edit-mode]").click()
    smoke = page.locator("[data-test=palette-smoke-b2-hall]")
    expect(smoke).to_be_visible()
    image = page.locator("[data-test=plan-image]")
    box = image.bounding_box()
    assert box is not None
    smoke.drag_to(image, target_position={"x": box["width"] * 0.75, "y": box["height"] * 0.5})
    marker = page.locator("[data-test=marker-smoke-b2-hall]")
    expect(marker).to_be_visible()
    placed = marker.bounding_box()
    assert placed is not None
    centre = placed["x"] + placed["width"] / 2 - box["x"]
    assert abs(centre / box["width"] - 0.75) < 0.02
    expect(page.locator("[data-test=palette-smoke-b2-hall]")).to_have_count(0)
    shot(page, "admin/sitemap-placed.png")


def test_a_hostile_svg_is_refused_in_the_page(open_as: OpenAs, tmp_path: Path) -> None:
    evil = tmp_path / "evil.svg"
    evil.write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    page = open_as("admin", "/console/sitemap")
    expect(page.locator("[data-test=plan-image]")).to_be_visible()
    page.locator("[data-test=upload-plan]").click()
    form = page.locator("[data-test=plan-form]")
    form.locator("input[name=plan_name]").fill("Evil")
    form.locator("input[name=plan_file]").set_input_files(str(evil))
    page.locator("[data-test=plan-save]").click()
    expect(page.locator(".el-message--error")).to_contain_text("SVG 含有脚本")


def test_the_device_list_filters_by_state(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    worker = _heard(context, clock)
    clock.advance(timedelta(seconds=181))
    _speak(worker, clock, "gate-north", open=1)
    worker.tick_once(clock.now())
    page = open_as("operator", "/console/devices")
    table = page.locator("[data-test=device-table]")
    expect(table).to_contain_text("生活水泵 Domestic water pump")
    expect(table).to_contain_text("open 1")
    shot(page, "operator/devices.png")
    page.locator("[data-test=state-filter]").click()
    page.get_by_role("option", name="离线", exact=True).click()
    expect(table).not_to_contain_text("北门道闸 North gate")  # it spoke: not offline
    expect(table).to_contain_text("生活水泵 Domestic water pump")  # 3 heartbeats of silence
    for state in ("normal", "unknown", "alarm"):
        expect(table.locator(f"[data-state={state}]")).to_have_count(0)
    table.locator(".el-table__row", has_text="生活水泵").click()
    expect(page.locator(".el-drawer")).to_contain_text("pressure_bar")


def test_the_health_page_says_what_it_knows(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    page = open_as("admin", "/console/health")
    expect(page.locator("[data-test=health-card-broker]")).to_have_attribute(
        "data-verdict", "unknown"
    )
    expect(page.locator("[data-test=workers-table]")).to_contain_text("没有接入进程报告心跳")
    worker = _worker(context)
    worker.tick_once(clock.now())
    expect(page.locator("[data-test=health-card-broker]")).to_have_attribute(
        "data-verdict", "ok", timeout=10_000
    )
    expect(page.locator("[data-test=workers-table]")).to_contain_text("运行中")
    shot(page, "admin/health.png")
