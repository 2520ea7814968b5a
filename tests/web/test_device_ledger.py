"""The device drawer's readings ranges, retiring and replacing a meter, and the command log, in
the browser over the real hub (readings stored as ingest stores them, commands as the
dispatcher and devices settle them)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import expect
from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services import commands
from hub.storage.models import Device, DeviceSwap, User
from hub.storage.readings import store_readings
from tests.web.conftest import OpenAs, shot


def _device(context: HubContext, code: str) -> int:
    with context.db.session() as session:
        return session.scalars(select(Device.id).where(Device.code == code)).one()


def _month_of_readings(context: HubContext, clock: FakeClock, code: str, metric: str) -> None:
    """Hourly readings for 30 days: a daily swing, higher in the afternoon."""
    device_id, now = _device(context, code), clock.now()
    rows = [
        (
            device_id,
            metric,
            now - timedelta(hours=hours),
            Decimal(2) + Decimal(abs(12 - (hours % 24))) / 10,
            None,
            now,
        )
        for hours in range(1, 30 * 24)
    ]
    with context.db.session() as session:
        store_readings(session, rows, source="test")
        session.commit()


def test_the_drawer_draws_24_hours_7_and_30_days(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    _month_of_readings(context, clock, "pump-1", "pressure_bar")
    page = open_as("operator", "/console/devices")
    page.locator("[data-test=device-table] .el-table__row", has_text="生活水泵").click()
    drawer = page.locator(".el-drawer")
    chart = drawer.locator("[data-test=device-chart]")
    expect(chart).to_have_attribute("data-range", str(24 * 3600 // 200))  # 432 s buckets
    expect(drawer.locator("[data-test=device-retire]")).to_have_count(0)  # admins only
    drawer.locator("[data-test=range-7d]").click()
    expect(chart).to_have_attribute("data-range", str(7 * 24 * 3600 // 200))
    drawer.locator("[data-test=range-30d]").click()
    expect(chart).to_have_attribute("data-range", str(30 * 24 * 3600 // 200))
    expect(chart.locator("canvas")).to_be_visible()
    shot(page, "operator/device-readings.png")


def test_an_admin_replaces_a_meter_with_both_registers(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    _month_of_readings(context, clock, "em-b1-101", "energy_kwh")
    page = open_as("admin", "/console/devices")
    page.locator("[data-test=device-table] .el-table__row", has_text="em-b1-101").click()
    drawer = page.locator(".el-drawer")
    drawer.locator("[data-test=device-replace]").click()
    form = page.locator("[data-test=replace-form]")
    form.locator("input[name=code]").fill("em-b1-101-2")
    form.locator("input[name=final_reading]").fill("3.2")
    form.locator("input[name=initial_reading]").fill("0.5")
    shot(page, "admin/device-replace.png")
    page.locator("[data-test=replace-confirm]").click()
    expect(drawer.locator("[data-test=device-retired]")).to_contain_text("replaced by em-b1-101-2")
    expect(drawer.locator("[data-test=drawer-state]")).to_have_text("已退役")
    expect(drawer.locator("[data-test=device-replace]")).to_have_count(0)
    table = page.locator("[data-test=device-table]")
    expect(table).to_contain_text("em-b1-101-2")  # the list heard it on the live feed
    expect(table.locator(".el-table__row", has_text="em-b1-101-2")).to_contain_text("未上报")
    shot(page, "admin/device-replaced.png")
    with context.db.session() as session:
        [swap] = session.scalars(select(DeviceSwap))
        assert (swap.final_value, swap.initial_value) == (Decimal("3.2"), Decimal("0.5"))


def test_the_command_log_lists_who_asked_and_how_it_ended(
    open_as: OpenAs, context: HubContext, clock: FakeClock
) -> None:
    with context.db.session() as session:
        operator = session.scalars(select(User).where(User.username == "operator")).one()
        gate = session.get(Device, _device(context, "gate-north"))
        leak = session.get(Device, _device(context, "leak-b1-101"))
        assert gate is not None and leak is not None
        opened = commands.request(
            session,
            gate,
            "open_gate",
            params={},
            reason="sent by operator",
            now=clock.now(),
            by=operator,
        )
        valve = commands.request(
            session,
            leak,
            "close_valve",
            params={"valve": 1},
            reason="leak detected",
            now=clock.now(),
            rule_id="leak-close-valve",
        )
        for row in (opened, valve):
            commands.mark_sent(session, row.command_id, now=clock.now())
        commands.acknowledge(session, gate.id, opened.command_id, now=clock.now())
        commands.expire(session, now=clock.now() + timedelta(seconds=31))
        session.commit()
    page = open_as("operator", "/console/devices")
    page.locator("nav").get_by_text("指令记录").click()
    page.wait_for_url("**/console/commands")
    table = page.locator("[data-test=command-table]")
    expect(table.locator(".el-table__row")).to_have_count(2)
    expect(table).to_contain_text("规则 leak-close-valve")
    expect(table).to_contain_text("no acknowledgement within 30 s")
    expect(table.locator("[data-status=acknowledged]")).to_have_count(1)
    shot(page, "operator/commands.png")
    page.locator("[data-test=command-status-filter]").click()
    page.get_by_role("option", name="失败", exact=True).click()
    expect(table.locator(".el-table__row")).to_have_count(1)
    expect(table).to_contain_text("关闭阀门")
    page.locator("input[data-test=command-who-filter]").fill("operator")
    expect(table.locator(".el-table__row")).to_have_count(0)
