"""Customer service decides for an owner on the phone, at the desktop (1440x900): cancels a
request with the owner's reason, sends a completed repair back, then confirms and rates the
rework. Screenshots go to docs/screenshots/service/ for docs/service-desk.md."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services import work_orders
from tests.web.conftest import DESKTOP, OpenAs, shot
from tests.web.test_work_orders import TAP, _owner_request, _user

pytestmark = pytest.mark.browser


def _completed(context: HubContext, clock: FakeClock) -> int:
    """owner101's repair, dispatched to the technician and done."""
    order_id = _owner_request(context, clock)
    service, tech = _user(context, "service"), _user(context, "tech")
    with context.db.session() as session:
        work_orders.accept(session, order_id, by=service, now=clock.now())
        work_orders.assign(session, order_id, technician_id=tech.id, by=service, now=clock.now())
        work_orders.start(session, order_id, by=tech, now=clock.now())
        work_orders.complete(session, order_id, report="换了阀芯", by=tech, now=clock.now())
    return order_id


def _give_reason(page: Page, reason: str) -> None:
    dialog = page.locator(".order-reason-dialog")
    dialog.locator(".el-button--primary").click()
    expect(dialog).to_contain_text("请填写原因")  # a blank reason is not sent
    dialog.locator("textarea").fill(reason)
    dialog.locator(".el-button--primary").click()


def test_customer_service_cancels_a_request_with_the_owners_reason(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    order_id = _owner_request(context, clock)
    board = open_as("operator", "/console/orders", DESKTOP)
    expect(board.locator("[data-test=order-card]")).to_have_count(1)
    expect(board.locator("[data-test=cancel-order]")).to_have_count(0)  # not the operator's call

    page = open_as("service", "/console/service", DESKTOP)
    card = page.locator("[data-test=queue] [data-test=order-card]").filter(has_text=TAP)
    card.locator("[data-test=cancel-order]").click()
    page.locator(".order-reason-dialog textarea").fill("业主已自行修好 Fixed it himself")
    shot(page, "service/cancel-order.png")
    page.locator(".order-reason-dialog textarea").fill("")
    _give_reason(page, "业主已自行修好 Fixed it himself")
    expect(page.locator(".el-message--success")).to_contain_text("已取消")
    expect(page.locator("[data-test=queue] [data-test=order-card]")).to_have_count(0)
    with context.db.session() as session:
        order = work_orders.get_visible_or_raise(session, order_id, _user(context, "service"))
        assert (order.status.value, order.cancel_reason) == (
            "cancelled",
            "业主已自行修好 Fixed it himself",
        )


def test_customer_service_sends_a_repair_back_then_confirms_the_rework(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    order_id = _completed(context, clock)
    page = open_as("service", "/console/service", DESKTOP)
    waiting = page.locator("[data-test=to-confirm] [data-test=order-card]")
    expect(waiting).to_have_count(1)
    expect(waiting).to_have_attribute("data-status", "completed")
    expect(waiting.locator("[data-test=cancel-order]")).to_have_count(0)  # too late to cancel
    waiting.locator("[data-test=refuse-order]").click()
    _give_reason(page, "还在滴水 Still dripping")
    expect(page.locator(".el-message--success")).to_contain_text("已退回返工")
    expect(waiting).to_have_count(0)
    service, tech = _user(context, "service"), _user(context, "tech")
    with context.db.session() as session:
        order = work_orders.get_visible_or_raise(session, order_id, service)
        assert (order.status.value, order.refused_count) == ("in_progress", 1)
        work_orders.complete(session, order_id, report="换了整个龙头", by=tech, now=clock.now())

    page.reload()
    waiting.locator("[data-test=confirm-order]").click()
    dialog = page.locator("[data-test=confirm-dialog]")
    dialog.locator("[data-test=rate-quality] .el-rate__item").nth(3).click()  # 4 stars
    dialog.locator("textarea[data-test=confirm-comment]").fill("师傅很耐心 Patient")
    shot(page, "service/confirm-for-owner.png")
    dialog.locator("[data-test=confirm-submit]").click()
    expect(page.locator(".el-message--success")).to_contain_text("已确认")
    expect(waiting).to_have_count(0)
    with context.db.session() as session:
        order = work_orders.get_visible_or_raise(session, order_id, service)
        assert (order.status.value, order.rating_attitude, order.rating_quality) == (
            "confirmed",
            5,
            4,
        )
