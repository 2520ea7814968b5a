"""Short videos from owners: one attached with a photo to a complaint on the phone (360x740)
plays on the complaint and on customer service's console (1440x900); one sent with a repair
request plays on the request. Screenshots go to docs/screenshots/ for docs/owners.md."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.api.conftest import JPEG, WEBM
from tests.web.conftest import DESKTOP, PHONE, OpenAs, shot
from tests.web.test_complaints import BINS

pytestmark = pytest.mark.browser


def test_an_owner_attaches_a_short_video_that_both_sides_can_play(open_as: OpenAs) -> None:
    page = open_as("owner101", "/m/owner/complaints/new", PHONE)
    form = page.locator("[data-test=complaint-form]")
    form.locator("[data-kind=sanitation]").click()
    form.locator("textarea[name=description]").fill(BINS)
    form.locator("input[data-test=photos]").set_input_files(
        [
            {"name": "bins.jpg", "mimeType": "image/jpeg", "buffer": JPEG},
            {"name": "bins.webm", "mimeType": "video/webm", "buffer": WEBM},
        ]
    )
    expect(form.locator("video.owner-form__preview")).to_have_count(1)
    form.locator("[data-test=send-complaint]").click()
    page.wait_for_url("**/m/owner/complaints/*")
    photos = page.locator("[data-test=photos]")
    expect(photos.locator("img")).to_have_count(1)
    video = photos.locator("video[data-test=video]")
    expect(video).to_have_count(1)
    # the browser read the clip's metadata: it is a playable video, not a broken element
    video.evaluate("v => new Promise(ok => v.readyState ? ok() : (v.onloadedmetadata = ok))")
    expect(video).to_have_js_property("videoWidth", 32)
    shot(page, "owner/complaint-video.png")

    desk = open_as("service", "/console/complaints", DESKTOP)
    desk.locator("[data-test=queue] .el-table__row").filter(has_text=BINS).click()
    panel = desk.locator("[data-test=panel-photos]")
    expect(panel.locator("img")).to_have_count(1)
    expect(panel.locator("video[data-test=video]")).to_have_count(1)
    shot(desk, "service/complaint-video.png")


def test_an_owner_files_a_repair_with_a_short_video(open_as: OpenAs) -> None:
    page = open_as("owner101", "/m/owner/repairs/new", PHONE)
    form = page.locator("[data-test=repair-form]")
    form.locator("select[name=category]").select_option("plumbing")
    form.locator("input[name=title]").fill("水管漏水 Pipe leaks")
    form.locator("[data-test=photo]").set_input_files(
        {"name": "leak.webm", "mimeType": "video/webm", "buffer": WEBM}
    )
    expect(form.locator("video.owner-form__preview")).to_have_count(1)
    form.locator("[data-test=send-repair]").click()
    page.wait_for_url("**/m/owner/repairs/*")
    video = page.locator("video[data-test=repair-video]")
    video.evaluate("v => new Promise(ok => v.readyState ? ok() : (v.onloadedmetadata = ok))")
    expect(video).to_have_js_property("videoWidth", 32)
    expect(page.locator("[data-test=repair-photo]")).to_have_count(0)
    shot(page, "owner/repair-video.png")
