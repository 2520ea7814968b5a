"""Work orders (工单) in the built app: the operator dispatches an order from the board at the
desktop (1440x900) and the wall screen (1920x1080); the technician accepts it on the phone
(360x740), records the arrival and completes it with a photo; customer service enters a
phoned-in request that the board then shows. Screenshots go to docs/screenshots/ for
docs/operators.md, docs/customer-service.md and docs/technicians.md."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services import escalation, work_orders
from hub.services.site import LoadResult
from hub.services.users import owner_home_ids
from hub.storage.models import DutyShift, User
from tests.api.conftest import JPEG
from tests.web.conftest import DESKTOP, PHONE, WALL, OpenAs, shot

pytestmark = pytest.mark.browser

VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, WALL], ids=["desktop", "wall"])
TAP = "厨房水龙头漏水 Kitchen tap leaks"


def _size(viewport: tuple[int, int]) -> str:
    return "wall" if viewport == WALL else "desktop"


def _user(context: HubContext, username: str) -> User:
    with context.db.session() as session:
        found = session.scalars(select(User).where(User.username == username)).one()
        session.expunge(found)
        return found


def _owner_request(context: HubContext, clock: FakeClock, title: str = TAP) -> int:
    """owner101 asks for a repair of B1/101, as the owner's phone page would."""
    owner = _user(context, "owner101")
    with context.db.session() as session:
        home_id = next(iter(owner_home_ids(session, owner)))
        order = work_orders.submit_owner_request(
            session,
            owner=owner,
            home_id=home_id,
            category="plumbing",
            title=title,
            description="整夜滴水 drips all night",
            contact="13812345678",
            photo_path=None,
            now=clock.now(),
        )
        return order.id


def _tech_on_duty(context: HubContext, site_id: int) -> None:
    tech = _user(context, "tech")
    with context.db.session() as session:
        session.add(
            DutyShift(
                site_id=site_id,
                user_id=tech.id,
                category="plumbing",
                starts=time(0),
                ends=time(23, 59),
            )
        )


def _at_hub_time(page: Page, clock: FakeClock) -> None:
    """The browser's clock reads the hub's (the SLA clocks count from the hub's deadlines)."""
    page.clock.set_fixed_time(clock.now())


def _card(page: Page, text: str) -> Locator:
    return page.locator("[data-test=order-card]").filter(has_text=text)


@VIEWPORTS
def test_operator_dispatches_an_order_to_the_technician_on_duty(
    open_as: OpenAs,
    context: HubContext,
    clock: FakeClock,
    site: LoadResult,
    viewport: tuple[int, int],
) -> None:
    _tech_on_duty(context, site.site_id)
    _owner_request(context, clock)
    _owner_request(context, clock, "楼道灯不亮 Corridor light out")
    clock.advance(timedelta(minutes=12))
    page = open_as("operator", "/console/orders", viewport)
    _at_hub_time(page, clock)
    card = _card(page, TAP)
    expect(card).to_have_attribute("data-status", "submitted")
    expect(card.locator("[data-test=sla]")).to_have_text("受理剩余 18:00")
    expect(page.locator("[data-test=open-count]")).to_have_text("2 张未完成")
    shot(page, f"operator/orders-board-{_size(viewport)}.png")

    card.locator("[data-test=accept]").click()
    expect(card).to_have_attribute("data-status", "accepted")
    expect(card.locator("[data-test=sla]")).to_have_text("完工剩余 24:00:00")  # from acceptance
    card.locator("[data-test=dispatch]").click()
    dialog = page.locator("[data-test=dispatch-dialog]")
    tech = dialog.locator("[data-test=candidate-tech]")
    expect(tech).to_contain_text("值班推荐")
    expect(tech).to_contain_text("在手 0 单")
    if viewport == DESKTOP:
        expect(page.locator(".el-message")).to_have_count(0, timeout=10_000)
        page.wait_for_timeout(300)  # the dialog's opening animation
        shot(page, "operator/orders-dispatch.png")
    dialog.locator("[data-test=dispatch-submit]").click()
    expect(dialog).to_be_hidden()
    expect(card).to_have_attribute("data-status", "assigned")
    expect(card.locator("[data-test=assignee]")).to_have_text("维修人：维修工 Technician")
    expect(page.locator("[data-column=assigned]")).to_contain_text(TAP)
    expect(page.locator(".el-message")).to_have_count(0, timeout=10_000)
    shot(page, f"operator/orders-dispatched-{_size(viewport)}.png")

    page.locator("input[data-test=filter-search]").fill("楼道")
    expect(page.locator("[data-test=order-card]")).to_have_count(1)
    page.locator("input[data-test=filter-search]").fill("")

    _owner_request(context, clock, "电梯异响 Elevator noise")  # arrives by the live feed
    expect(_card(page, "电梯异响")).to_have_attribute("data-status", "submitted", timeout=5_000)
    expect(page.locator("[data-test=open-count]")).to_have_text("3 张未完成")


def test_the_technician_accepts_arrives_and_completes_with_a_photo(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    order_id = _owner_request(context, clock)
    service, tech = _user(context, "service"), _user(context, "tech")
    with context.db.session() as session:
        work_orders.accept(session, order_id, by=service, now=clock.now())
        work_orders.assign(session, order_id, technician_id=tech.id, by=service, now=clock.now())

    page = open_as("tech", "/m/tech", PHONE)
    mine = page.locator("[data-test=my-order]")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text(TAP)
    expect(mine).to_contain_text("待接单")
    shot(page, "technician/my-orders.png")

    mine.click()
    page.wait_for_url(f"**/m/tech/orders/{order_id}")
    status = page.locator("[data-test=order-status]")
    expect(page.locator("[data-test=order-detail]")).to_contain_text("13812345678")  # in full
    page.locator("[data-test=tech-accept]").click()
    expect(status).to_contain_text("已接单")
    page.locator("[data-test=tech-arrive]").click()
    expect(status).to_contain_text("已到场")

    form = page.locator("[data-test=complete-form]")
    form.locator("[data-test=report] textarea").fill("更换阀芯 replaced the cartridge")
    page.locator("[data-test=photo-input]").set_input_files(
        {"name": "tap.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
    )
    expect(form.locator(".order__photo img")).to_have_count(1)
    expect(form.locator("[data-test=add-photo]")).to_contain_text("1/4")
    expect(page.locator(".van-toast")).to_be_hidden()
    shot(page, "technician/order-complete.png")

    page.locator("[data-test=tech-complete]").click()
    expect(status).to_contain_text("已完工")
    expect(page.locator("[data-test=done-photos] img")).to_have_count(1)
    expect(page.locator("[data-test=done-report]")).to_have_text("更换阀芯 replaced the cartridge")
    expect(page.locator(".van-toast")).to_be_hidden()
    shot(page, "technician/order-done.png")
    with context.db.session() as session:
        order = work_orders.get_visible_or_raise(session, order_id, tech)
        assert order.arrived_at is not None and len(order.photos) == 1


def test_customer_service_phone_in_shows_on_the_board(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    _owner_request(context, clock, "投诉 噪音 Noise complaint")
    clock.advance(timedelta(minutes=25))
    page = open_as("service", "", DESKTOP)
    page.wait_for_url("**/console/service")
    _at_hub_time(page, clock)
    queue = page.locator("[data-test=queue]")
    expect(queue.locator("[data-test=order-card]")).to_have_count(1)
    expect(queue.locator("[data-test=sla]")).to_have_text("受理即将超时 05:00")

    form = page.locator("[data-test=phone-in]")
    form.locator("[data-test=phone-in-home]").click()
    page.keyboard.type("张伟")
    page.locator(".el-select-dropdown__item").filter(has_text="B1/101").click()
    form.locator("input[data-test=phone-in-title]").fill("客厅跳闸 Living room trips")
    form.locator("[data-test=phone-in-priority]").click()
    page.locator(".el-select-dropdown__item:visible").filter(has_text="高").click()
    form.locator("input[data-test=phone-in-contact]").fill("13812345678")
    shot(page, "service/service-desk.png")
    form.locator("[data-test=phone-in-submit]").click()
    expect(page.locator(".el-message--success")).to_contain_text("已登记电话报修")
    created = page.locator("[data-test=to-dispatch] [data-test=order-card]")
    expect(created).to_contain_text("客厅跳闸 Living room trips")
    expect(created).to_contain_text("电话报修")

    page.goto("/console/orders")
    _at_hub_time(page, clock)
    card = _card(page, "客厅跳闸")
    expect(card).to_have_attribute("data-status", "accepted")
    expect(card).to_contain_text("高")
    expect(page.locator("[data-column=submitted]")).to_contain_text("投诉 噪音")
    shot(page, "service/orders-board.png")


def _escalate(context: HubContext, clock: FakeClock) -> None:
    """One dispatcher pass of the SLA ladder at the hub's time."""
    with context.db.session() as session:
        escalation.check(session, now=clock.now())


def test_the_desk_shows_breached_clocks_and_the_technician_pauses_them(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    """A dispatched order whose contact clock ran over climbs to the manager; a new request
    left unaccepted reaches the supervisors; the technician then records the contact and
    waits for the owner, which stops the clocks on the phone."""
    dispatched = _owner_request(context, clock, "卫生间堵塞 Blocked toilet")
    service, tech = _user(context, "service"), _user(context, "tech")
    with context.db.session() as session:
        work_orders.accept(session, dispatched, by=service, now=clock.now())
        work_orders.assign(session, dispatched, technician_id=tech.id, by=service, now=clock.now())
    clock.advance(timedelta(minutes=40))
    _escalate(context, clock)  # contact: 10 min over, step 1
    _owner_request(context, clock)
    clock.advance(timedelta(minutes=60))
    _escalate(context, clock)  # the new one: accept 30 min over, step 1; contact 70 min: step 2

    page = open_as("service", "/console/service", DESKTOP)
    _at_hub_time(page, clock)
    waiting = page.locator("[data-test=queue] [data-test=sla]")
    expect(waiting).to_have_text("受理已超时 30:00 · 已升级 1 级")
    expect(waiting).to_have_attribute("data-state", "overdue")
    over = page.locator("[data-test=overdue] [data-test=order-card]")
    expect(over).to_have_count(1)
    expect(over.locator("[data-test=sla]")).to_have_text(
        ["联系已超时 1:10:00 · 已升级 2 级", "到场剩余 20:00", "完工剩余 22:20:00"]
    )
    expect(page.locator(".el-message")).to_have_count(0, timeout=10_000)
    shot(page, "service/service-desk-sla.png")

    phone = open_as("tech", f"/m/tech/orders/{dispatched}", PHONE)
    _at_hub_time(phone, clock)
    clocks = phone.locator("[data-test=order-clocks] [data-test=sla]")
    expect(clocks).to_have_count(3)
    phone.locator("[data-test=contact-note] input").fill("电话联系，约 12 点上门 visit at 12")
    phone.locator("[data-test=tech-contact]").click()
    expect(clocks).to_have_count(2)
    phone.locator("[data-test=pause-note] input").fill("业主不在家 owner away")
    phone.locator("[data-test=tech-pause]").click()
    expect(clocks.first).to_have_text("到场暂停 剩 20:00")
    expect(phone.locator("[data-test=tech-resume]")).to_be_visible()
    expect(phone.locator("[data-test=tech-accept]")).to_have_count(0)  # no step while waiting
    expect(phone.locator(".van-toast")).to_be_hidden()
    shot(phone, "technician/order-waiting.png")
    phone.locator("[data-test=tech-resume]").click()
    expect(clocks.first).to_have_text("到场剩余 20:00")
    with context.db.session() as session:
        order = work_orders.get_visible_or_raise(session, dispatched, tech)
        assert order.contacted_at is not None and len(order.pauses) == 1
