"""Households in the built app: an owner adds a family member and a car on the phone; customer
service finds a home on the console and records a tenant; an admin only reads. Screenshots go to
docs/screenshots/owner/ and service/ for docs/households.md."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import ApiClient
from tests.web.conftest import DESKTOP, PHONE, OpenAs, shot

pytestmark = pytest.mark.browser


def test_an_owner_adds_a_family_member_and_a_car(open_as: OpenAs) -> None:
    page = open_as("owner101", "/m/owner/me", PHONE)
    page.locator("[data-test=household-link]").click()
    page.wait_for_url("**/m/owner/household")
    expect(page.locator(".van-cell-group__title", has_text="B1/101")).to_be_visible()

    page.locator("[data-test=add-member]").click()
    form = page.locator("[data-test=member-form]")
    form.locator("input[name=name]").fill("刘洋 Liu Yang")
    form.locator("input[name=relation]").fill("配偶 spouse")
    form.locator("input[name=phone]").fill("13600001234")
    expect(form.locator("[data-test=save-member]")).to_be_in_viewport()
    shot(page, "owner/household-add.png")
    form.locator("[data-test=save-member]").click()
    member = page.locator("[data-test=member]", has_text="刘洋 Liu Yang")
    expect(member).to_contain_text("家庭成员")
    expect(member).to_contain_text("13600001234")

    page.locator("[data-test=add-vehicle]").click()
    car = page.locator("[data-test=vehicle-form]")
    car.locator("input[name=plate]").fill("沪A 12345")
    car.locator("input[name=parking_space]").fill("B1-023")
    car.locator("[data-test=save-vehicle]").click()
    expect(page.locator(".van-toast")).to_contain_text("已添加：沪A12345")  # as the hub spells it
    expect(page.locator("[data-test=vehicle]")).to_contain_text("沪A12345")
    expect(page.locator("[data-test=vehicle]")).to_contain_text("B1-023")
    page.wait_for_timeout(400)  # the popup closes before the picture
    shot(page, "owner/household.png")

    page.locator("[data-test=add-vehicle]").click()
    car.locator("input[name=plate]").fill("ABC-1234")
    car.locator("[data-test=save-vehicle]").click()
    expect(page.locator(".van-toast")).to_contain_text("车牌号格式不正确")


def test_service_records_a_tenant_and_an_admin_only_reads(open_as: OpenAs, api: ApiClient) -> None:
    page = open_as("service", "/console/households", DESKTOP)
    page.locator("[data-test=household-home]").click()
    page.keyboard.type("102")
    page.locator(".el-select-dropdown__item", has_text="B1/102").click()
    household = page.locator("[data-test=household]")
    expect(household).to_contain_text("李娜 Li Na")
    expect(household).to_contain_text("13998765432")  # customer service calls owners

    form = page.locator("[data-test=member-form]")
    form.locator("[data-test=member-kind]").click()
    page.get_by_role("option", name="租户").click()
    form.locator("input[name=name]").fill("陈晨 Chen Chen")
    form.locator("input[name=phone]").fill("13700002222")
    moved_in = form.get_by_placeholder("入住日期")
    moved_in.fill("2026-03-01")
    moved_in.press("Enter")
    form.locator("[data-test=save-member]").click()
    row = page.locator("[data-test=member-table] .el-table__body tr", has_text="陈晨 Chen Chen")
    expect(row).to_contain_text("租户")
    expect(row).to_contain_text("2026-03-01")
    shot(page, "service/household.png")

    admin = open_as("admin", "/console/households", DESKTOP)
    admin.locator("[data-test=household-home]").click()
    expect(admin.locator("[data-test=household-home] input")).to_be_focused()  # then type
    admin.keyboard.type("102")
    # the search answers "1", "10" and "102" in turn: click once only its last answer is shown
    expect(admin.locator(".el-select-dropdown__item")).to_have_count(1)
    admin.locator(".el-select-dropdown__item", has_text="B1/102").click()
    expect(admin.locator("[data-test=member-table]")).to_contain_text("陈晨 Chen Chen")
    expect(admin.locator("[data-test=member-table]")).to_contain_text("137****2222")
    expect(admin.locator("[data-test=member-form]")).to_have_count(0)
