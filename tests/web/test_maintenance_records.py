"""Maintenance records (维修记录) in the built app: the technician writes one on the phone before
completing an elevator repair; the owner sees it and confirms it with the repair; the operator
reads a pump's repairs and timeline on its asset page and confirms a rule's repair for the
estate; customer service sets the equipment of an order from the board. Screenshots go to
docs/screenshots/ for docs/technicians.md and docs/maintenance.md."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import FailureCause, RepairRemedy
from hub.services import maintenance_records, work_order_assets, work_orders
from hub.services.maintenance_records import LabourLine, PartLine, RecordData
from hub.services.site import LoadResult
from hub.storage.models import Asset
from tests.support.repairs import pump_alarm_then_order
from tests.support.work_orders import dispatch, staff
from tests.web.conftest import DESKTOP, PHONE, OpenAs, shot
from tests.web.test_work_orders import _owner_request

pytestmark = pytest.mark.browser

LIFT = "电梯异响 Elevator noise"


def _asset(context: HubContext, code: str) -> Asset:
    with context.db.session() as session:
        found = session.scalars(select(Asset).where(Asset.code == code)).first()
        assert found is not None
        session.expunge(found)
        return found


def _lift_repair(context: HubContext, clock: FakeClock, *, arrived: bool = True) -> int:
    """owner101's request, on the B1 elevator (set by customer service), started by `tech`."""
    order_id = _owner_request(context, clock, LIFT)
    tech = dispatch(context, clock, order_id)
    with context.db.session() as session:
        order = work_orders.get_visible_or_raise(session, order_id, tech)
        work_order_assets.set_asset(
            session,
            order,
            _asset(context, "EL-B1-1").id,
            by=staff(context, "service"),
            now=clock.now(),
        )
        work_orders.start(session, order_id, by=tech, now=clock.now())
        if arrived:
            work_orders.arrive(session, order_id, by=tech, now=clock.now())
    return order_id


def _record(context: HubContext, clock: FakeClock, order_id: int, *, complete: bool = True) -> None:
    tech = staff(context, "tech")
    data = RecordData(
        FailureCause.WEAR,
        RepairRemedy.REPLACE_PART,
        note="导靴磨损，已更换 Worn guide shoe replaced",
        other_cost=Decimal("30"),
        labour=[LabourLine(tech.id, 45)],
        parts=[
            PartLine("导靴衬 Guide shoe liner", Decimal(2), Decimal("12.35")),
            PartLine("润滑脂 Grease (kg)", Decimal("1.5"), Decimal("3.33")),
        ],
    )
    with context.db.session() as session:
        order = work_orders.get_visible_or_raise(session, order_id, tech)
        maintenance_records.write(session, order, data, by=tech, now=clock.now())
        if complete:
            clock.advance(timedelta(minutes=50))
            work_orders.complete(
                session, order_id, report="更换导靴衬 Liner replaced", by=tech, now=clock.now()
            )


def _pick(page: Page, field: str, label: str) -> None:
    page.locator(f"[data-test={field}]").click()
    page.locator(".van-action-sheet__item").filter(has_text=label).click()
    expect(page.locator(".van-action-sheet")).to_be_hidden()


def test_the_technician_writes_the_record_before_completing(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    order_id = _lift_repair(context, clock)
    page = open_as("tech", f"/m/tech/orders/{order_id}", PHONE)
    form = page.locator("[data-test=record-form]")
    expect(page.locator("[data-test=record-required]")).to_contain_text("请先填写维修记录")
    _pick(page, "record-cause", "磨损老化")
    _pick(page, "record-remedy", "更换配件")
    form.locator("[data-test=record-minutes] input").fill("45")
    for name, quantity, price in (
        ("导靴衬 Guide shoe liner", "2", "12.35"),
        ("润滑脂 Grease (kg)", "1.5", "3.33"),
    ):
        form.locator("[data-test=record-add-part]").click()
        part = form.locator("[data-test=record-part]").last
        part.locator("input").nth(0).fill(name)
        part.locator("input").nth(1).fill(quantity)
        part.locator("input").nth(2).fill(price)
    form.locator("[data-test=record-other] input").fill("30")
    expect(form.locator("[data-test=record-part]").nth(1)).to_contain_text("5.00")  # 4.995 half up
    expect(form.locator("[data-test=record-total]")).to_contain_text("¥59.70")
    form.locator("[data-test=record-note] textarea").fill(
        "导靴磨损，已更换 Worn guide shoe replaced"
    )
    form.locator("[data-test=record-save]").click()
    expect(page.locator("[data-test=record-required]")).to_have_count(0)
    expect(page.locator(".van-toast")).to_be_hidden()
    shot(page, "technician/order-record.png")

    page.locator("[data-test=complete-form] [data-test=report] textarea").fill(
        "更换导靴衬 Liner replaced"
    )
    page.locator("[data-test=tech-complete]").click()
    expect(page.locator("[data-test=order-status]")).to_contain_text("已完工")
    record = page.locator("[data-test=record]")
    expect(record.locator("[data-test=record-total]")).to_contain_text("¥59.70")
    expect(record.locator("[data-test=record-confirmation]")).to_contain_text("尚未确认")
    expect(page.locator(".van-toast")).to_be_hidden()
    shot(page, "technician/order-record-done.png")


def test_the_owner_confirms_the_record_with_the_repair(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    order_id = _lift_repair(context, clock)
    _record(context, clock, order_id)
    page = open_as("owner101", f"/m/owner/repairs/{order_id}", PHONE)
    record = page.locator("[data-test=record]")
    expect(record.locator("[data-test=record-cause]")).to_contain_text("磨损老化")
    expect(record.locator("[data-test=record-part]")).to_have_count(2)
    expect(record.locator("[data-test=record-total]")).to_contain_text("¥59.70")
    expect(record.locator("[data-test=record-confirmation]")).to_contain_text("尚未确认")
    shot(page, "owner/repair-record.png")
    decide = page.locator("[data-test=decide]")
    decide.locator("[data-test=rate-quality] .van-rate__item").nth(4).click()
    decide.locator("[data-test=confirm]").click()
    expect(page.locator("[data-test=repair-status]")).to_have_text("已确认")
    expect(record.locator("[data-test=record-confirmation]")).to_contain_text("确认于")


def _pump_repair(context: HubContext, clock: FakeClock, site: LoadResult) -> int:
    """The pump's fault alarm, then its rule's order (on asset WP-1), repaired and recorded."""
    order_id = pump_alarm_then_order(context, clock, site)
    with context.db.session() as session:
        work_orders.start(session, order_id, by=staff(context, "tech"), now=clock.now())
    _record(context, clock, order_id)
    return order_id


def test_the_operator_reads_an_assets_repairs_and_confirms_for_the_estate(
    open_as: OpenAs, context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    order_id = _pump_repair(context, clock, site)
    pump = _asset(context, "WP-1")
    page = open_as("operator", f"/console/assets/{pump.id}", DESKTOP)
    page.clock.set_fixed_time(clock.now())
    repairs = page.locator("[data-test=asset-repairs]")
    expect(repairs).to_contain_text("水泵故障 Pump fault")
    expect(repairs).to_contain_text("¥59.70")
    expect(repairs).to_contain_text("未确认")
    timeline = page.locator("[data-test=asset-timeline]")
    expect(timeline.locator("[data-kind]")).to_have_count(3)
    expect(timeline.locator("[data-kind=alarm_raised]")).to_contain_text("告警 · 重要")
    repairs.locator(".el-table__expand-icon").first.click()
    expect(repairs.locator("[data-test=record-parts]")).to_contain_text("导靴衬 Guide shoe liner")
    page.locator("[data-test=asset-repairs]").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    shot(page, "admin/asset-repairs.png")

    repairs.locator("[data-test=repair-open]").click()
    drawer = page.locator("[data-test=order-drawer]")
    expect(drawer.locator("[data-test=drawer-asset]")).to_contain_text("WP-1")
    expect(drawer.locator("[data-test=record-confirmation]")).to_contain_text("尚未确认")
    drawer.locator("input[data-test=estate-note]").fill("已试运行 Test run OK")
    page.wait_for_timeout(300)
    shot(page, "operator/order-estate-confirm.png")
    drawer.locator("[data-test=estate-confirm-button]").click()
    expect(drawer.locator("[data-test=drawer-status]")).to_have_text("已确认")
    expect(drawer.locator("[data-test=record-confirmation]")).to_contain_text("监控中心值班员")
    expect(drawer.locator("[data-test=estate-confirm]")).to_have_count(0)
    with context.db.session() as session:
        record = maintenance_records.record_of(session, order_id)
        assert record is not None and record.confirmed_at is not None


def test_customer_service_sets_the_equipment_from_the_board(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    order_id = _owner_request(context, clock, LIFT)
    dispatch(context, clock, order_id)
    page = open_as("service", "/console/orders", DESKTOP)
    page.clock.set_fixed_time(clock.now())
    page.locator("[data-test=order-card]").filter(has_text=LIFT).locator(
        "[data-test=order-title]"
    ).click()
    drawer = page.locator("[data-test=order-drawer]")
    expect(drawer.locator("[data-test=drawer-asset]")).to_have_text("无")
    drawer.locator("[data-test=asset-select]").click()
    page.locator(".el-select-dropdown__item").filter(has_text="EL-B1-1").click()
    drawer.locator("[data-test=asset-save]").click()
    expect(drawer.locator("[data-test=drawer-asset]")).to_contain_text("EL-B1-1")
    expect(drawer).to_contain_text("维修设施 Asset repaired: — → EL-B1-1")
    page.wait_for_timeout(300)
    shot(page, "service/order-asset.png")
