"""The user journeys end to end on the real architecture: devices -> (edge) -> MQTT broker ->
hub worker -> rules / services -> API and live feed. Real broker, real Modbus TCP server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from adapters.modbus.server import ModbusServer
from adapters.mqtt.publisher import DevicePublisher
from edge.config import parse_edge_config
from edge.gateway import EdgeGateway
from hub.clock import FakeClock
from hub.context import HubContext
from hub.event_relay import relaying
from hub.events import bus
from hub.services import billing, patrol
from hub.services.site import LoadResult
from hub.storage.models import Alert, PatrolScan, Reading, User, WorkOrder
from tests.conftest import ApiClient
from tests.support.worker import eventually, make_worker, running

SITE = "green-garden"
SHANGHAI = ZoneInfo("Asia/Shanghai")
SAMPLE_EDGE = Path(__file__).resolve().parents[2] / "edge" / "sample.yaml"


async def test_leak_opens_one_urgent_order_and_reaches_the_live_feed(
    context: HubContext, site: LoadResult, mqtt_url: str, topic_prefix: str
) -> None:
    """Journey 1: a leak sensor repeating itself -> one urgent plumbing order, one critical
    alert, and the alert on the control room's live feed."""
    feed = bus.subscribe()
    try:
        async with (
            relaying(context.db.engine),  # PostgreSQL: the worker's events come back by NOTIFY
            running(make_worker(context, mqtt_url, topic_prefix)),
            DevicePublisher(mqtt_url, topic_prefix, SITE, "leak-b1-101") as sensor,
        ):
            for _ in range(3):
                await sensor.telemetry({"water_leak": True})
            raised = await asyncio.wait_for(_next_of(feed.queue, "alert.raised"), 10)

            def three_occurrences() -> Alert | None:
                with context.db.session() as session:
                    alert = session.scalars(select(Alert)).one_or_none()
                    return alert if alert and alert.occurrences == 3 else None

            await eventually(three_occurrences, "the alert counted three times")
    finally:
        feed.close()
    assert raised["severity"] == "critical" and raised["title"] == "漏水 Water leak"
    with context.db.session() as session:
        orders = session.scalars(select(WorkOrder).where(WorkOrder.rule_id == "water-leak")).all()
    assert [(o.category, o.priority.value, o.location) for o in orders] == [
        ("plumbing", "urgent", "1号楼101厨房 B1-101 kitchen")
    ]


async def _next_of(queue: asyncio.Queue, kind: str) -> dict:  # type: ignore[type-arg]
    while True:
        item = await queue.get()
        if item.kind == kind:
            return item.data


async def test_a_fixed_reader_scan_counts_and_a_missed_checkpoint_raises_one_alert(
    context: HubContext, site: LoadResult, clock: FakeClock, mqtt_url: str, topic_prefix: str
) -> None:
    """Journey 3: the night round's first checkpoint is scanned by the fixed reader over MQTT;
    the second is never scanned, and once its window closes one alert says so."""
    started = datetime.now(UTC)
    clock.set(started)
    with context.db.session() as session:
        guard = session.scalars(select(User).where(User.username == "guard")).one()
        patrol.start_round(
            session, route_code="night", site_id=site.site_id, guard=guard, now=started
        )
    worker = make_worker(context, mqtt_url, topic_prefix)
    async with (
        running(worker),
        DevicePublisher(mqtt_url, topic_prefix, SITE, "cpr-north") as reader,
    ):
        await reader.event(
            "scan", {"checkpoint": "CP-NORTH-GATE"}, ts=started + timedelta(seconds=30)
        )

        def scanned() -> PatrolScan | None:
            with context.db.session() as session:
                return session.scalars(select(PatrolScan)).one_or_none()

        scan = await eventually(scanned, "the reader's scan stored")
    assert scan.in_window and scan.stop_id is not None

    # CP-B1-LOBBY is due 10-20 minutes into the round and nobody comes.
    assert worker.tick_once(started + timedelta(minutes=19)).missed_patrol_alerts == 0
    assert worker.tick_once(started + timedelta(minutes=21)).missed_patrol_alerts == 1
    assert worker.tick_once(started + timedelta(minutes=22)).missed_patrol_alerts == 0
    with context.db.session() as session:
        alerts = session.scalars(
            select(Alert).where(Alert.rule_id == "patrol.missed_checkpoint")
        ).all()
    assert len(alerts) == 1
    assert "CP-B1-LOBBY" in alerts[0].reason or "1号楼大堂" in alerts[0].reason


async def test_owner_sees_a_bill_priced_from_modbus_and_mqtt_meter_readings(
    context: HubContext, site: LoadResult, api: ApiClient, mqtt_url: str, topic_prefix: str
) -> None:
    """Journey 4: a Modbus electricity meter polled by the edge gateway and an MQTT water meter
    -> readings -> October's bill, which owner101 sees with its readings and owner102 cannot."""
    sample = parse_edge_config(SAMPLE_EDGE)
    meter_map = next(d for d in sample.devices if d.device == "em-b1-101")
    register = meter_map.registers[0]
    october_start = datetime(2026, 10, 1, 0, 10, tzinfo=SHANGHAI)
    october_end = datetime(2026, 10, 31, 23, 50, tzinfo=SHANGHAI)
    clock = context.clock  # the edge's and the hub's: the hub refuses readings days old
    assert isinstance(clock, FakeClock)
    billed_at = clock.now()
    clock.set(october_start.astimezone(UTC))

    def readings(n: int) -> Callable[[], int | None]:
        def stored() -> int | None:
            with context.db.session() as session:
                count = len(session.scalars(select(Reading.id)).all())
                return count if count == n else None

        return stored

    async with ModbusServer([meter_map.unit]) as server:
        config = sample.retarget(
            mqtt_url=mqtt_url, prefix=topic_prefix, modbus_port=server.port
        ).model_copy(update={"devices": [meter_map.model_copy(update={"port": server.port})]})
        async with (
            running(make_worker(context, mqtt_url, topic_prefix)),
            EdgeGateway(config, clock=clock) as gateway,
            DevicePublisher(mqtt_url, topic_prefix, SITE, "wm-b1-101") as water,
        ):
            await server.set_value(meter_map.unit, register, Decimal("1000.00"))
            assert (await gateway.poll_once())[0].error is None
            await water.telemetry({"water_m3": 10.0}, ts=october_start)
            await eventually(readings(2), "October's first meter readings stored")
            clock.set(october_end.astimezone(UTC))
            await server.set_value(meter_map.unit, register, Decimal("1250.50"))
            await gateway.poll_once()
            await water.telemetry({"water_m3": 12.5}, ts=october_end)
            await eventually(readings(4), "four meter readings stored")
    clock.set(billed_at)

    with context.db.session() as session:
        result = billing.run_billing(session, period="2026-10", now=context.clock.now())
    assert len(result.billed) == 3  # every home is billed (the others at least their fee)

    bills = api.get("/api/v1/bills", as_user="owner101").json()  # type: ignore[attr-defined]
    assert [b["home"] for b in bills] == ["B1/101"]
    bill = bills[0]
    lines = {(line["utility"], line["tier"]): line for line in bill["lines"]}
    # 250.5 kWh: 200 @ 0.5283 = 105.66, 50.5 @ 0.5783 = 29.20; 2.5 m3 @ 4.10 = 10.25;
    # 89.50 m2 @ 2.50 = 223.75.  Total 368.86.
    assert lines[("electricity", 1)]["amount"] == "105.66"
    assert lines[("electricity", 2)]["amount"] == "29.20"
    assert Decimal(lines[("electricity", 1)]["start_reading"]["value"]) == Decimal("1000")
    assert Decimal(lines[("electricity", 1)]["end_reading"]["value"]) == Decimal("1250.5")
    assert lines[("water", None)]["amount"] == "10.25"
    assert lines[("property_fee", None)]["amount"] == "223.75"
    assert bill["total"] == "368.86"

    other = api.get(f"/api/v1/bills/{bill['id']}", as_user="owner102")  # type: ignore[attr-defined]
    assert other.status_code == 404  # type: ignore[attr-defined]
