"""The app's shell as each role meets it: Chinese first, logging in, the right start page, the
language following the account, the whole screen saying so when the hub is unreachable, and a
lapsed session asking for the password in place without losing what was typed."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from playwright.sync_api import Page, expect

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services.site import LoadResult
from tests.web.conftest import DESKTOP, PHONE, WALL, OpenAs, new_password, shot


def test_the_login_page_speaks_chinese_first_and_translates_refusals(
    new_tab: Callable[[tuple[int, int]], Page], site: LoadResult
) -> None:
    page = new_tab(PHONE)
    page.goto("/console/alarms")
    expect(page).to_have_url(re.compile(r"/login\?next=/console/alarms$"))
    form = page.locator("[data-test=login-form]")
    expect(form.get_by_role("heading")).to_have_text("登录")
    form.locator("input[name=username]").fill("operator")
    form.locator("input[name=password]").fill("not-the-password")
    form.locator("button[type=submit]").click()
    expect(form.get_by_role("alert")).to_have_text("用户名或密码错误")
    shot(page, "common/login-phone.png")

    page.locator("[data-test=language]").select_option("en")
    expect(form.get_by_role("heading")).to_have_text("Log in")
    expect(form.locator("button[type=submit]")).to_have_text("Log in")


def test_the_first_login_sets_an_own_password_that_meets_the_rules(
    new_tab: Callable[[tuple[int, int]], Page], site: LoadResult
) -> None:
    page = new_tab(DESKTOP)
    page.goto("/")
    form = page.locator("[data-test=login-form]")
    form.locator("input[name=username]").fill("finance")
    form.locator("input[name=password]").fill(site.new_accounts["finance"])
    form.locator("button[type=submit]").click()
    change = page.locator("[data-test=password-form]")
    change.locator("input[name=new_password]").fill("short")
    change.locator("input[name=repeat_password]").fill("short")
    change.locator("button[type=submit]").click()
    expect(change.get_by_role("alert")).to_have_text(
        "密码至少 8 位，须含大写字母、小写字母、数字和符号"
    )


def test_the_api_docs_work_with_no_internet(new_tab: Callable[[tuple[int, int]], Page]) -> None:
    page = new_tab(DESKTOP)
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name="Estate Hub")).to_be_visible()
    expect(page.locator(".opblock-tag").first).to_be_visible()


def test_a_lapsed_session_asks_again_in_place_and_keeps_the_form(
    open_as: OpenAs, site: LoadResult, clock: FakeClock, context: HubContext
) -> None:
    """The operator is typing when the login session runs out (12 h): the live feed notices at
    once, the password is asked for over the page, and what was typed is still there after."""
    page = open_as("operator", "/console/account", viewport=DESKTOP)
    expect(page.locator("[data-test=live-state]")).to_have_attribute("data-state", "live")
    form = page.locator("[data-test=change-password]")
    form.locator("input[name=current_password]").fill("half-typed")
    form.locator("input[name=new_password]").fill("Still-here-9!")

    clock.advance(timedelta(hours=context.settings.session_hours, minutes=1))
    dialog = page.locator("[data-test=reauth]")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("operator")
    shot(page, "common/session-expired.png")
    dialog.locator("input[name=password]").fill(new_password(site.new_accounts["operator"]))
    dialog.get_by_role("button", name="继续").click()

    expect(dialog).to_have_count(0)
    expect(form.locator("input[name=current_password]")).to_have_value("half-typed")
    expect(form.locator("input[name=new_password]")).to_have_value("Still-here-9!")
    expect(page.locator("[data-test=live-state]")).to_have_attribute("data-state", "live")


def test_the_whole_console_says_when_the_hub_cannot_be_reached(open_as: OpenAs) -> None:
    page = open_as("finance", "/console/account", viewport=DESKTOP)
    banner = page.locator("[data-test=connection-banner]")
    expect(banner).to_have_count(0)
    page.route("**/api/v1/**", lambda route: route.abort())
    form = page.locator("[data-test=change-password]")
    form.locator("input[name=current_password]").fill("anything")
    form.get_by_role("button", name="设置密码").click()
    expect(banner).to_have_text("无法连接中控服务器：页面上的数据可能已过时，正在重试…")
    shot(page, "common/hub-unreachable.png")

    page.unroute("**/api/v1/**")
    expect(banner).to_have_count(0, timeout=10_000)  # it asks the hub again by itself


def test_a_dropped_live_feed_is_shown_at_once(open_as: OpenAs) -> None:
    page = open_as("operator", "/console/account", viewport=DESKTOP)
    expect(page.locator("[data-test=live-state]")).to_have_attribute("data-state", "live")
    page.route_web_socket("**/api/v1/live", lambda socket: socket.close())
    page.reload()
    expect(page.locator("[data-test=connection-banner]")).to_contain_text("实时连接已断开")


def test_the_language_follows_the_account_to_another_device(open_as: OpenAs) -> None:
    desk = open_as("service", "/console/account", viewport=DESKTOP)
    desk.locator("[data-test=language]").first.select_option("en")
    expect(desk.get_by_role("heading", name="My account")).to_be_visible()

    wall = open_as("service", "/console/account", viewport=WALL)
    expect(wall.get_by_role("heading", name="My account")).to_be_visible()
