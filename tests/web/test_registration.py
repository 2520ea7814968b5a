"""Registration in the built app: an applicant registers on the phone page and enters the SMS
code; customer service opens the account on the console. Screenshots go to docs/screenshots/owner/
and service/ for docs/owners.md and docs/households.md."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from hub.context import HubContext
from tests.api.registration_support import PASSWORD, PHONE, code_for
from tests.web.conftest import DESKTOP, OpenAs, shot
from tests.web.conftest import PHONE as PHONE_SIZE

pytestmark = pytest.mark.browser


def test_an_applicant_registers_and_customer_service_opens_the_account(
    new_tab: Callable[[tuple[int, int]], Page], open_as: OpenAs, context: HubContext
) -> None:
    page = new_tab(PHONE_SIZE)
    page.goto("/login")
    page.locator("[data-test=register-link]").click()
    page.wait_for_url("**/register")
    form = page.locator("[data-test=register-form]")
    home = form.locator("option", has_text="B1/102").get_attribute("value")
    form.locator("select[name=home_id]").select_option(value=home)
    form.locator("input[name=name]").fill("赵敏 Zhao Min")
    form.locator("input[name=phone]").fill(PHONE)
    form.locator("input[name=password]").fill(PASSWORD)
    expect(form).to_contain_text("至少 8 位")  # the password rule, as on the login page
    expect(form.locator("button[type=submit]")).to_be_enabled()
    shot(page, "owner/register.png")
    form.locator("button[type=submit]").click()

    code = page.locator("[data-test=register-code]")
    expect(code).to_contain_text(PHONE)
    code.locator("input[name=code]").fill(code_for(context))
    code.locator("button[type=submit]").click()
    expect(page.locator("[data-test=register-done]")).to_contain_text("客服核实后")
    shot(page, "owner/register-done.png")

    desk = open_as("service", "/console/registrations", DESKTOP)
    row = desk.locator("[data-test=registration-table] .el-table__row", has_text="赵敏 Zhao Min")
    expect(row).to_contain_text("B1/102")
    expect(row).to_contain_text("136****6666")  # masked
    shot(desk, "service/registrations.png")
    row.locator("[data-test=confirm-registration]").click()
    desk.locator(".el-message-box__btns button", has_text="确认开通").click()
    expect(desk.locator(".el-message")).to_contain_text("已开通：赵敏 Zhao Min")
    expect(desk.locator("[data-test=registration-table]")).to_contain_text("暂无")
