"""The hub worker end to end over a real broker: MQTT in; work orders, alerts, dead letters out."""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import timedelta
from typing import TypeVar

import pytest
import sqlalchemy
from sqlalchemy import select

from adapters.mqtt.broker import BrokerThread, free_port
from adapters.mqtt.subscriber import ReceivedMessage
from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import AlertState, Priority, Severity, WorkOrderStatus
from hub.services.site import LoadResult
from hub.settings import Settings
from hub.storage.models import Alert, DeadLetter, Device, Reading, WorkOrder
from hub.worker import HubWorker
from tests.support.worker import (
    crash_with_last_will,
    eventually,
    make_worker,
    publish,
    running,
)

T = TypeVar("T")
SITE = "green-garden"


def _topic(prefix: str, device: str, channel: str = "telemetry") -> str:
    return f"{prefix}/{SITE}/{device}/{channel}"


async def test_a_repeating_leak_opens_one_urgent_order_and_one_critical_alert(
    context: HubContext, site: LoadResult, mqtt_url: str, topic_prefix: str
) -> None:
    async with running(make_worker(context, mqtt_url, topic_prefix)) as worker:
        leak: tuple[str, str, bool] = (
            _topic(topic_prefix, "leak-b1-101"),
            '{"water_leak": true}',
            False,
        )
        await asyncio.to_thread(publish, mqtt_url, [leak] * 5)

        def alert_seen_five_times() -> Alert | None:
            with context.db.session() as session:
                alert = session.scalars(select(Alert)).one_or_none()
                return alert if alert is not None and alert.occurrences == 5 else None

        alert = await eventually(alert_seen_five_times, "an alert with 5 occurrences")
        stats = worker.stats()
    with context.db.session() as session:
        orders = session.scalars(select(WorkOrder)).all()
        assert len(session.scalars(select(Alert)).all()) == 1
    assert [(o.category, o.priority, o.status, o.rule_id) for o in orders] == [
        ("plumbing", Priority.URGENT, WorkOrderStatus.SUBMITTED, "water-leak")
    ]
    assert (alert.severity, alert.title, alert.state) == (
        Severity.CRITICAL,
        "漏水 Water leak",
        AlertState.ACTIVE_UNACKNOWLEDGED,
    )
    assert alert.work_order_id == orders[0].id and alert.reading_id is not None
    assert alert.reason == f"water_leak = true (reading {alert.reading_id})"
    assert (stats.messages, stats.readings, stats.duplicates, stats.dead_letters) == (5, 1, 4, 0)
    assert stats.connected and stats.actions == 10


async def test_malformed_payloads_and_unknown_devices_become_dead_letters(
    context: HubContext, site: LoadResult, mqtt_url: str, topic_prefix: str
) -> None:
    async with running(make_worker(context, mqtt_url, topic_prefix)) as worker:
        bad: list[tuple[str, str | bytes, bool]] = [
            (_topic(topic_prefix, "leak-b1-101"), b'{"water_leak": tru', False),
            (_topic(topic_prefix, "leak-b9-999"), '{"water_leak": true}', False),
        ]
        await asyncio.to_thread(publish, mqtt_url, bad)

        def two_letters() -> list[DeadLetter] | None:
            with context.db.session() as session:
                letters = list(session.scalars(select(DeadLetter).order_by(DeadLetter.id)))
                return letters if len(letters) == 2 else None

        letters = await eventually(two_letters, "two dead letters")
        assert worker.stats().dead_letters == 2
    by_topic = {letter.topic: letter for letter in letters}
    malformed = by_topic[_topic(topic_prefix, "leak-b1-101")]
    assert malformed.payload == b'{"water_leak": tru' and "not JSON" in malformed.reason
    unknown = by_topic[_topic(topic_prefix, "leak-b9-999")]
    assert unknown.reason == "unknown device 'leak-b9-999' at site 'green-garden'"
    with context.db.session() as session:
        assert session.scalars(select(Reading)).all() == []
        assert session.scalars(select(WorkOrder)).all() == []


async def test_a_last_will_opens_one_device_offline_order_cleared_when_back(
    context: HubContext, site: LoadResult, mqtt_url: str, topic_prefix: str
) -> None:
    status = _topic(topic_prefix, "gate-north", "status")
    try:
        async with running(make_worker(context, mqtt_url, topic_prefix)):
            await asyncio.to_thread(crash_with_last_will, mqtt_url, status)

            def offline_alert() -> Alert | None:
                with context.db.session() as session:
                    query = select(Alert).where(Alert.rule_id == "device-offline")
                    return session.scalars(query).one_or_none()

            alert = await eventually(offline_alert, "the device-offline alert")
            await asyncio.to_thread(publish, mqtt_url, [(status, "online", True)])

            def cleared() -> bool:
                with context.db.session() as session:
                    state = session.scalars(select(Alert.state).where(Alert.id == alert.id)).one()
                    return state is AlertState.CLEARED_UNACKNOWLEDGED

            await eventually(cleared, "the offline alert to clear")
    finally:
        await asyncio.to_thread(publish, mqtt_url, [(status, b"", True)])  # remove retained
    with context.db.session() as session:
        orders = session.scalars(select(WorkOrder)).all()
        gate = session.scalars(select(Device).where(Device.code == "gate-north")).one()
    assert [(o.category, o.title, o.device_id, o.status) for o in orders] == [
        (
            "device",
            "设备离线 Device offline: 北门道闸 North gate",
            gate.id,
            WorkOrderStatus.SUBMITTED,
        )
    ]
    assert (alert.severity, alert.title) == (Severity.MINOR, "设备离线 Device offline")
    assert gate.online is True


async def test_silence_past_three_heartbeats_opens_device_offline_orders(
    context: HubContext, site: LoadResult, mqtt_url: str, topic_prefix: str
) -> None:
    clock = context.clock
    assert isinstance(clock, FakeClock)
    pump = _topic(topic_prefix, "pump-1")
    async with running(make_worker(context, mqtt_url, topic_prefix)) as worker:
        await asyncio.to_thread(publish, mqtt_url, [(pump, '{"pressure_bar": 3.2}', False)])

        def stored() -> bool:
            with context.db.session() as session:
                return session.scalars(select(Reading)).first() is not None

        await eventually(stored, "the pump reading")
        clock.advance(timedelta(seconds=179))
        assert (await worker.tick()).devices_gone_silent == 0
        clock.advance(timedelta(seconds=2))
        assert (await worker.tick()).devices_gone_silent == 4  # every device with a 60 s heartbeat
        assert (await worker.tick()).devices_gone_silent == 0  # one firing per silence
        clock.advance(timedelta(seconds=10))
        await asyncio.to_thread(publish, mqtt_url, [(pump, '{"pressure_bar": 3.2}', False)])

        def pump_back() -> bool:
            with context.db.session() as session:
                query = select(Alert.state).where(Alert.dedup_key.like("device-offline:%"))
                states = list(session.scalars(query))
                return AlertState.CLEARED_UNACKNOWLEDGED in states

        await eventually(pump_back, "the pump's offline alert to clear")
    with context.db.session() as session:
        orders = session.scalars(select(WorkOrder).where(WorkOrder.rule_id == "device-offline"))
        names = sorted(o.title for o in orders)
        silent = session.scalars(select(Device.code).where(Device.online.is_(False))).all()
    assert len(names) == 4 and "设备离线 Device offline: 生活水泵 Domestic water pump" in names
    assert sorted(silent) == ["leak-b1-101", "leak-b1-102", "smoke-b2-hall"]


@pytest.mark.skipif(
    not os.environ.get("HUB_TEST_MQTT_URL"),
    reason="the embedded amqtt 0.12 broker does not queue messages for offline sessions",
)
async def test_messages_sent_while_the_hub_is_down_arrive_after_restart(
    context: HubContext, site: LoadResult, mqtt_url: str, topic_prefix: str
) -> None:
    async with running(make_worker(context, mqtt_url, topic_prefix), forget=False):
        pass
    leak = (_topic(topic_prefix, "leak-b1-102"), '{"water_leak": false}', False)
    await asyncio.to_thread(publish, mqtt_url, [leak])
    async with running(make_worker(context, mqtt_url, topic_prefix)):

        def stored() -> bool:
            with context.db.session() as session:
                return session.scalars(select(Reading)).first() is not None

        await eventually(stored, "the reading published while the hub was down")


async def test_the_worker_reconnects_after_losing_the_broker(
    context: HubContext, site: LoadResult, topic_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    port = free_port()
    broker = BrokerThread(port=port).start()
    worker = HubWorker(
        context,
        broker.url,
        Settings().rules_file,
        topic_prefix=topic_prefix,
        persistent_session=False,
        tick_seconds=3600,
    )
    try:
        async with running(worker):
            await asyncio.to_thread(broker.stop)
            await eventually(lambda: not worker.connected.is_set(), "the worker to notice")
            broker = BrokerThread(port=port).start()
            await asyncio.wait_for(worker.connected.wait(), 15)
            message = (_topic(topic_prefix, "smoke-b2-hall"), '{"smoke": true}', False)
            await asyncio.to_thread(publish, broker.url, [message])

            def smoke_alert() -> bool:
                with context.db.session() as session:
                    return (
                        session.scalars(select(Alert).where(Alert.rule_id == "smoke")).first()
                        is not None
                    )

            await eventually(smoke_alert, "the smoke alert after reconnecting")
    finally:
        await asyncio.to_thread(broker.stop)
    assert "reconnecting in" in caplog.text


def test_poison_payloads_cost_one_dead_letter_each_not_a_replay_of_their_batch(
    context: HubContext, site: LoadResult, mqtt_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """`1e999999999999999999999`, `99999999999999.9999999` and a lone `\\ud800` once escaped the
    parser or failed the insert, and each replayed its whole batch one message at a time."""
    worker = make_worker(context, mqtt_url, "estate")
    good = [
        ReceivedMessage(f"estate/{SITE}/pump-1/telemetry", f'{{"pressure_bar": {n}}}'.encode())
        for n in range(1, 4)
    ]
    poison = [
        ReceivedMessage(f"estate/{SITE}/em-b1-101/telemetry", b'{"energy_kwh": %s}' % raw)
        for raw in (b"1e999999999999999999999", b"99999999999999.9999999", b'"\\ud800"')
    ]
    with caplog.at_level(logging.WARNING, logger="hub.worker"):
        worker.handle_batch([good[0], poison[0], good[1], poison[1], poison[2], good[2]])
    assert not caplog.records  # no "retrying singly"
    stats = worker.stats()
    assert (stats.messages, stats.readings, stats.dead_letters) == (
        6,
        1,
        3,
    )  # stamped alike: 2 replays
    with context.db.session() as session:
        reasons = [d.reason for d in session.scalars(select(DeadLetter).order_by(DeadLetter.id))]
    assert len(reasons) == 3 and "lone surrogate" in reasons[2]
    assert all("out of range" in r for r in reasons[:2])


async def test_a_topic_with_a_level_too_many_or_too_few_is_heard_and_dead_lettered(
    context: HubContext, site: LoadResult, mqtt_url: str, topic_prefix: str
) -> None:
    leak = _topic(topic_prefix, "leak-b1-101")
    odd = [
        f"{leak}/x",
        f"{topic_prefix}/{SITE}/leak-b1-101/x/telemetry",
        f"{topic_prefix}/{SITE}/leak-b1-101",
    ]
    async with running(make_worker(context, mqtt_url, topic_prefix)):
        await asyncio.to_thread(
            publish, mqtt_url, [(t, '{"water_leak": true}', False) for t in odd]
        )

        def three_letters() -> list[DeadLetter] | None:
            with context.db.session() as session:
                letters = list(session.scalars(select(DeadLetter)))
                return letters if len(letters) == 3 else None

        letters = await eventually(three_letters, "three dead letters")
    assert sorted(d.topic for d in letters) == sorted(odd)
    assert all("<site>/<device>/<channel>" in d.reason for d in letters)


async def test_a_message_soon_after_another_still_counts_as_presence_to_the_second(
    context: HubContext, site: LoadResult, mqtt_url: str, topic_prefix: str
) -> None:
    """Last seen was written at most every 5 s, so a device that spoke 3 s after its last write
    was declared offline 3 s early, and the order said it was silent 3 s longer than it was."""
    clock = context.clock
    assert isinstance(clock, FakeClock)
    pump = _topic(topic_prefix, "pump-1")  # heartbeat 60 s: offline after 180 s of silence
    async with running(make_worker(context, mqtt_url, topic_prefix)) as worker:
        for count in (1, 2):
            await asyncio.to_thread(publish, mqtt_url, [(pump, '{"pressure_bar": 3.2}', False)])

            def stored(count: int = count) -> bool:
                with context.db.session() as session:
                    return len(session.scalars(select(Reading)).all()) == count

            await eventually(stored, f"pump reading {count}")
            clock.advance(timedelta(seconds=3))  # the second comes 3 s after the first
        clock.advance(timedelta(seconds=180 - 3 - 1))  # 179 s after the pump's last message
        assert (await worker.tick()).devices_gone_silent == 3  # the never-heard 60 s devices
        clock.advance(timedelta(seconds=2))
        assert (await worker.tick()).devices_gone_silent == 1
    with context.db.session() as session:
        pump_id = session.scalars(select(Device.id).where(Device.code == "pump-1")).one()
        alert = session.scalars(select(Alert).where(Alert.dedup_key.like(f"%:{pump_id}"))).one()
    assert alert.reason.startswith("no message for 181 s"), alert.reason


_REFUSE_BOOM = {  # a real database fault for one kind of event: a hub bug stand-in
    "sqlite": [
        "CREATE TRIGGER refuse_boom BEFORE INSERT ON device_events WHEN NEW.kind = 'boom' "
        "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.kind = 'boom' THEN RAISE EXCEPTION 'refused by the test'; END IF; "
        "RETURN NEW; END $$",
        "CREATE TRIGGER refuse_boom BEFORE INSERT ON device_events "
        "FOR EACH ROW EXECUTE FUNCTION refuse_boom()",
    ],
}


def test_a_message_that_fails_its_batch_is_found_by_halving_not_one_by_one(
    context: HubContext, site: LoadResult, mqtt_url: str
) -> None:
    engine = context.db.engine
    with engine.begin() as connection:
        for statement in _REFUSE_BOOM[engine.dialect.name]:
            connection.exec_driver_sql(statement)
    commits: list[int] = []
    sqlalchemy.event.listen(engine, "commit", lambda _connection: commits.append(1))
    worker = make_worker(context, mqtt_url, "estate")
    t0 = int(context.clock.now().timestamp() * 1000)
    good = [
        ReceivedMessage(
            f"estate/{SITE}/pump-1/telemetry",
            f'{{"ts": {t0 - n * 1000}, "values": {{"pressure_bar": 3}}}}'.encode(),
        )
        for n in range(15)
    ]
    bad = ReceivedMessage(f"estate/{SITE}/gate-north/event", b'{"kind": "boom"}')
    worker.handle_batch([*good[:11], bad, *good[11:]])
    assert len(commits) <= 9  # about 2·log2(16); one by one it was 16
    stats = worker.stats()
    assert (stats.messages, stats.readings, stats.dead_letters) == (16, 15, 1)
    with context.db.session() as session:
        letter = session.scalars(select(DeadLetter)).one()
    assert letter.topic == bad.topic and "internal error while storing" in letter.reason
