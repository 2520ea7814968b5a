"""The app's shell as each role meets it: Chinese first, logging in, the right start page, the
language following the account, the whole screen saying so when the hub is unreachable, and a
lapsed session asking for the password in place without losing what was typed."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from hub.services.site import LoadResult
from tests.web.conftest import DESKTOP, PHONE, shot


def test_the_login_page_speaks_chinese_first_and_translates_refusals(
    new_tab: Callable[[tuple[int, int]], Page], site: LoadResult
) -> None:
    page = new_tab(PHONE)
    page.goto("/console/alarms")
    expect(page).to_have_url("**/login?next=/console/alarms")
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
