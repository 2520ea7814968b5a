"""Notices in the built app: customer service and admins publish to a building or to chosen
homes, send an emergency notice that reaches the owners' inbox and phones, withdraw a wrong one
and read who has seen each; owners see emergency notices marked at the phone size. Screenshots
go to docs/screenshots/admin/, service/ and owner/ for docs/notices.md."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hub.context import HubContext
from hub.services import outbox
from tests.conftest import ApiClient
from tests.support.sms import dispatch_sms, sent_sms
from tests.web.conftest import DESKTOP, PHONE, OpenAs, shot

pytestmark = pytest.mark.browser
NOTICES = "/api/v1/notices"


def test_an_admin_publishes_a_notice_for_one_building(open_as: OpenAs, api: ApiClient) -> None:
    page = open_as("admin", "/console/notices", DESKTOP)
    form = page.locator("[data-test=notice-form]")
    form.locator("input[name=title]").fill("电梯维保 Lift service")
    form.locator("textarea[name=body]").fill("2号楼 周三 9:00-12:00 电梯停用。")
    form.locator("[data-test=audience]").get_by_text("指定楼栋").click()
    form.locator("[data-test=buildings]").get_by_text("2号楼 Building 2").click()
    form.locator("[data-test=pinned]").click()
    expect(form.locator("[data-test=buildings] .el-checkbox.is-checked")).to_have_text(
        "2号楼 Building 2"
    )
    expect(form.locator("[data-test=pinned]")).to_have_class(re.compile("is-checked"))
    page.wait_for_timeout(400)  # let the switch and checkbox animations end for the picture
    shot(page, "admin/notice-publish.png")
    form.locator("[data-test=publish]").click()
    row = page.locator("[data-test=notice-table] .el-table__body tr").filter(
        has_text="电梯维保 Lift service"
    )
    expect(row).to_contain_text("2号楼 Building 2")
    expect(row).to_contain_text("置顶")
    expect(row.locator("[data-test=read-count]")).to_have_text("0")

    owners = {u: api.get("/api/v1/notices", as_user=u) for u in ("owner201", "owner101")}
    seen = {u: [n["title"] for n in r.json()] for u, r in owners.items()}  # type: ignore[attr-defined]
    assert seen == {"owner201": ["电梯维保 Lift service"], "owner101": []}
    (notice,) = owners["owner201"].json()  # type: ignore[attr-defined]
    assert api.post(f"/api/v1/notices/{notice['id']}/read", as_user="owner201").status_code == 204  # type: ignore[attr-defined]
    page.reload()
    expect(row.locator("[data-test=read-count]")).to_have_text("1")
    shot(page, "admin/notices.png")


def test_an_admin_publishes_a_notice_for_one_unit_of_a_building(
    open_as: OpenAs, api: ApiClient
) -> None:
    page = open_as("admin", "/console/notices", DESKTOP)
    form = page.locator("[data-test=notice-form]")
    form.locator("input[name=title]").fill("1单元停水 Water off in unit 1")
    form.locator("textarea[name=body]").fill("1号楼1单元 周四 9:00-11:00 停水。")
    form.locator("[data-test=audience]").get_by_text("指定楼栋").click()
    expect(form.locator("[data-test=unit]")).to_have_count(0)  # no building chosen yet
    form.locator("[data-test=buildings]").get_by_text("1号楼 Building 1").click()
    form.locator("[data-test=unit]").click()
    page.locator(".el-select-dropdown__item:visible").filter(has_text="1单元").click()
    shot(page, "admin/notice-unit.png")
    form.locator("[data-test=publish]").click()
    row = page.locator("[data-test=notice-table] .el-table__body tr").filter(has_text="1单元停水")
    expect(row).to_contain_text("1号楼 Building 1 1单元")
    seen = {
        u: [n["title"] for n in api.get("/api/v1/notices", as_user=u).json()]  # type: ignore[attr-defined]
        for u in ("owner101", "owner102")
    }
    assert seen == {"owner101": ["1单元停水 Water off in unit 1"], "owner102": []}


def test_service_sends_an_emergency_notice_to_one_home_and_sees_it_read(
    open_as: OpenAs, api: ApiClient, context: HubContext
) -> None:
    page = open_as("service", "/console/notices", DESKTOP)
    form = page.locator("[data-test=notice-form]")
    form.locator("input[name=title]").fill("紧急停水 Water off now")
    form.locator("textarea[name=body]").fill("101 室楼上漏水，已关闭总阀。A leak above 101.")
    form.locator("[data-test=audience]").get_by_text("指定房屋").click()
    form.locator("[data-test=homes]").click()
    page.keyboard.type("101")
    page.locator(".el-select-dropdown__item", has_text="B1/101").click()
    form.locator("[data-test=emergency]").click()
    expect(form.locator("[data-test=pinned]")).to_have_class(re.compile("is-disabled"))
    page.keyboard.press("Escape")
    page.wait_for_timeout(400)  # the switch's animation ends before the picture
    shot(page, "service/notice-emergency.png")
    form.locator("[data-test=publish]").click()
    row = page.locator("[data-test=notice-table] .el-table__body tr").filter(
        has_text="紧急停水 Water off now"
    )
    expect(row).to_contain_text("紧急")
    expect(row).to_contain_text("B1/101")

    assert outbox.deliver_pending(context.db.session, now=context.clock.now()) == 1
    assert dispatch_sms(context) == 1
    assert [s.phone for s in sent_sms(context)] == ["13812345678"]  # owner101 only
    (notice,) = api.get(NOTICES, as_user="owner101").json()  # type: ignore[attr-defined]
    assert api.get(NOTICES, as_user="owner102").json() == []  # type: ignore[attr-defined]
    assert api.post(f"{NOTICES}/{notice['id']}/read", as_user="owner101").status_code == 204  # type: ignore[attr-defined]

    row.locator("[data-test=open-receipts]").click()
    drawer = page.locator("[data-test=receipts]")
    expect(drawer.locator("[data-test=read-summary]")).to_have_text("已读 1 / 1")
    expect(drawer.locator(".el-table__body tr")).to_contain_text("张伟 Zhang Wei")
    page.wait_for_timeout(400)  # the drawer slides in
    shot(page, "service/notice-receipts.png")


def test_a_wrong_notice_is_withdrawn_with_the_reason(open_as: OpenAs, api: ApiClient) -> None:
    sent = api.post(NOTICES, as_user="admin", json={"title": "停电 Power off 12日", "body": "b"})
    assert sent.status_code == 201
    page = open_as("service", "/console/notices", DESKTOP)
    row = page.locator("[data-test=notice-table] .el-table__body tr").filter(
        has_text="停电 Power off 12日"
    )
    expect(row.locator("[data-test=notice-state]")).to_contain_text("有效")
    row.locator("[data-test=withdraw]").click()
    box = page.locator(".el-message-box")
    box.locator("textarea").fill("日期写错，应为 13 日 Wrong date")
    box.get_by_role("button", name="撤回").click()
    expect(row.locator("[data-test=notice-state]")).to_contain_text("已撤回")
    expect(row.locator("[data-test=notice-state]")).to_contain_text("日期写错")
    expect(row.locator("[data-test=withdraw]")).to_have_count(0)
    assert api.get(NOTICES, as_user="owner101").json() == []  # type: ignore[attr-defined]
    shot(page, "service/notice-withdrawn.png")


def test_an_owner_sees_an_emergency_notice_marked(open_as: OpenAs, api: ApiClient) -> None:
    api.post(NOTICES, as_user="service", json={"title": "物业通知 Office hours", "body": "b"})
    api.post(
        NOTICES,
        as_user="service",
        json={
            "title": "燃气泄漏 Gas leak",
            "body": "请勿使用明火 No open flames",
            "emergency": True,
        },
    )
    page = open_as("owner101", "/m/owner/notices", PHONE)
    first = page.locator("[data-test=notice]").first
    expect(first).to_contain_text("燃气泄漏 Gas leak")
    expect(first.locator("[data-test=emergency]")).to_have_text("紧急")
    shot(page, "owner/notices-emergency.png")
    first.click()
    expect(page.locator("[data-test=notice-detail] [data-test=emergency]")).to_be_visible()
    expect(page.locator("[data-test=notice-detail]")).to_contain_text("请勿使用明火")
