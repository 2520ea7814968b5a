"""Patrol in the built app: a guard at the phone size (360x740) walks a round, scanning a QR
label through Chromium's fake camera (a .y4m video made here from the label) and typing codes
when the camera is refused; the control room sees the round at the desktop size. Screenshots go
to docs/screenshots/guard/ and operator/ for docs/patrol.md."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect

from adapters.camera.qr import label_png
from hub.clock import FakeClock
from tests.web.conftest import DESKTOP, PHONE, OpenAs, launch, shot

pytestmark = pytest.mark.browser

FRAME = (640, 480)


def qr_video(path: Path, code: str, frames: int = 10) -> Path:
    """A short .y4m video (Chromium's fake camera plays it in a loop) of the code's QR label
    held in front of the camera: the label centred on a grey background."""
    width, height = FRAME
    label = cv2.imdecode(np.frombuffer(label_png(code, scale=8), np.uint8), cv2.IMREAD_COLOR)
    side = min(height - 40, label.shape[0])
    label = cv2.resize(label, (side, side), interpolation=cv2.INTER_NEAREST)
    picture = np.full((height, width, 3), 170, np.uint8)
    top, left = (height - side) // 2, (width - side) // 2
    picture[top : top + side, left : left + side] = label
    yuv = cv2.cvtColor(picture, cv2.COLOR_BGR2YUV_I420).tobytes()
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + yuv)
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Chromium whose camera films the north gate's QR label."""
    video = qr_video(tmp_path_factory.mktemp("camera") / "cp-north-gate.y4m", "CP-NORTH-GATE")
    yield from launch(
        ["--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
    )


def _verdict(page: Page, verdict: str, text: str, timeout: float = 5000) -> None:
    shown = page.locator("[data-test=scan-verdict]")
    expect(shown).to_have_attribute("data-verdict", verdict, timeout=timeout)
    expect(shown).to_contain_text(text)


def _type_code(page: Page, code: str) -> None:
    form = page.locator("[data-test=manual-code]")
    form.locator("input[name=checkpoint_code]").fill(code)
    form.locator("button[type=submit]").click()


def _statuses(page: Page) -> list[str | None]:
    stops = page.locator("[data-test=stop]")
    return [stops.nth(i).get_attribute("data-status") for i in range(stops.count())]


def test_a_guard_walks_a_round_with_the_camera_and_typed_codes(
    open_as: OpenAs, clock: FakeClock
) -> None:
    phone = open_as("guard", "/m/guard", PHONE)
    phone.context.grant_permissions(["camera"])
    expect(phone.locator("[data-test=start-round]")).to_contain_text("夜间巡更")
    phone.locator("[data-test=start]").click()
    expect(phone.locator("[data-test=stop]")).to_have_count(4)
    expect(phone.locator("[data-test=stop]").first).to_contain_text("1. 北门 North gate")
    assert _statuses(phone) == ["open", "upcoming", "upcoming", "upcoming"]
    shot(phone, "guard/round.png")

    control = open_as("operator", "/console/patrol", DESKTOP)
    expect(control.locator("[data-test=live-state]")).to_have_attribute("data-state", "live")
    expect(control.locator("[data-test=rounds-table]")).to_contain_text("夜间巡更")

    phone.locator("[data-test=open-camera]").click()  # the fake camera films CP-NORTH-GATE
    _verdict(phone, "ok", "北门 North gate 已打卡", timeout=15_000)  # camera start, frames
    expect(phone.locator("[data-test=progress]")).to_have_text("1 / 4")
    shot(phone, "guard/scan-ok.png")
    # the control room hears the scan on the live feed, without reloading
    expect(control.locator("[data-test=scans-table]")).to_contain_text("北门 North gate")
    expect(control.locator("[data-test=round-scanned]")).to_have_text("1 / 4")

    _type_code(phone, "CP-PUMP-ROOM")  # stop 3, while stop 2 is not even due
    _verdict(phone, "wrong_order", "请先去 2. 1号楼大堂 B1 lobby")
    shot(phone, "guard/scan-wrong-order.png")
    _type_code(phone, "CP-NOWHERE")
    _verdict(phone, "unknown", "没有编号为 CP-NOWHERE 的巡更点")
    shot(phone, "guard/scan-unknown.png")

    clock.advance(timedelta(minutes=12))  # the B1 lobby's window (10-20 min) is open
    refused = open_as("guard", "/m/guard", PHONE)  # a phone that did not allow the camera
    refused.locator("[data-test=open-camera]").click()
    expect(refused.locator("[data-test=camera-unavailable]")).to_contain_text("输入巡更点编号")
    _type_code(refused, "cp-b1-lobby ".upper())
    _verdict(refused, "ok", "1号楼大堂 B1 lobby 已打卡")
    shot(refused, "guard/camera-refused.png")

    clock.advance(timedelta(minutes=30))  # every window has closed: the round is over
    refused.reload()
    summary = refused.locator("[data-test=round-summary]")
    expect(summary).to_contain_text("已结束")
    expect(refused.locator("[data-test=summary-scanned]")).to_contain_text("2")
    expect(refused.locator("[data-test=summary-missed]")).to_contain_text("2")
    expect(refused.locator("[data-test=summary-missed-stop]")).to_have_count(2)
    shot(refused, "guard/summary.png")

    control.reload()
    expect(control.locator("[data-test=round-status]")).to_have_text("已结束（有漏巡）")
    expect(control.locator("[data-test=round-missed]")).to_have_text("2")
    expect(control.locator("[data-test=missed-table] .el-table__body tr")).to_have_count(2)
    expect(control.locator("[data-test=missed-count]")).to_have_text("今日漏巡 2 处")
    shot(control, "operator/patrol.png")
