"""Device commands end to end over the real broker: the dispatcher publishes on the command
topic, the device's "ack" event settles it; silence fails it with an alert; all audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from adapters.mqtt.publisher import DevicePublisher
from hub.clock import FakeClock
from hub.context import HubContext
from hub.dispatcher import Dispatcher
from hub.domain import CommandStatus
from hub.services import commands
from hub.services.alert_query import list_alerts
from hub.services.automation import apply_actions
from hub.services.site import LoadResult
from hub.storage.models import Device, DeviceCommand
from rules.actions import SendCommand
from tests.adapters.mqtt_probe import MqttProbe
from tests.support.worker import eventually, make_worker, running

SITE = "green-garden"


def close_valve(context: HubContext, site: LoadResult, clock: FakeClock) -> DeviceCommand:
    with context.db.session() as session:
        pump = session.scalars(select(Device).where(Device.code == "pump-1")).one()
        action = SendCommand(
            "pump-pressure-low",
            pump.id,
            site.site_id,
            "pressure 0.4 bar",
            "close_valve",
            params=(("valve", "main"),),
            timeout_s=30,
        )
        applied = apply_actions(session, [action, action], now=clock.now())
        assert applied.commands == 2  # a rule with no alert or order commands every firing
        first = session.scalars(select(DeviceCommand).order_by(DeviceCommand.id)).first()
        assert first is not None
        return first


async def test_command_is_published_and_acknowledged(
    context: HubContext, site: LoadResult, clock: FakeClock, mqtt_url: str, topic_prefix: str
) -> None:
    command = close_valve(context, site, clock)
    assert (command.status, command.rule_id, command.params) == (
        CommandStatus.PENDING,
        "pump-pressure-low",
        {"valve": "main"},
    )
    dispatcher = Dispatcher(context, mqtt_url, topic_prefix=topic_prefix)
    try:
        async with (
            MqttProbe(mqtt_url, f"{topic_prefix}/#") as probe,
            running(make_worker(context, mqtt_url, topic_prefix)),
        ):
            result = await dispatcher.run_once()
            assert result.commands_sent == 2
            sent = await probe.wait_for(
                lambda s: (
                    s.topic == f"{topic_prefix}/{SITE}/pump-1/command"
                    and s.json()["id"] == command.command_id
                )
            )
            assert sent.json()["command"] == "close_valve"
            assert sent.json()["params"] == {"valve": "main"}
            assert (await dispatcher.run_once()).commands_sent == 0  # sent once
            clock.advance(timedelta(seconds=2))
            async with DevicePublisher(mqtt_url, topic_prefix, SITE, "pump-1") as device:
                for _ in range(2):  # a repeated ack changes nothing
                    await device.event("ack", {"id": command.command_id, "ok": True})

            def acknowledged() -> DeviceCommand | None:
                with context.db.session() as session:
                    row = session.get(DeviceCommand, command.id)
                    return row if row and row.status is CommandStatus.ACKNOWLEDGED else None

            await eventually(acknowledged, "the hub worker settling the device's ack")
    finally:
        await dispatcher.publisher.close()
    clock.advance(timedelta(minutes=5))
    with context.db.session() as session:
        expired = commands.expire(session, now=clock.now())
        assert len(expired) == 1 and expired[0].command_id != command.command_id  # acked stays
        row = session.scalars(
            select(DeviceCommand).where(DeviceCommand.command_id == command.command_id)
        ).one()
        assert row.status is CommandStatus.ACKNOWLEDGED
        assert row.acknowledged_at == clock.now() - timedelta(minutes=5)
        assert row.sent_at is not None and row.result == {"id": command.command_id, "ok": True}


async def test_unanswered_command_times_out_with_one_alert(
    context: HubContext, site: LoadResult, clock: FakeClock, mqtt_url: str, topic_prefix: str
) -> None:
    command = close_valve(context, site, clock)
    dispatcher = Dispatcher(context, mqtt_url, topic_prefix=topic_prefix)
    try:
        assert (await dispatcher.run_once()).commands_sent == 2
        clock.advance(timedelta(seconds=29))
        assert (await dispatcher.run_once()).commands_expired == 0
        clock.advance(timedelta(seconds=1))
        assert (await dispatcher.run_once()).commands_expired == 2
        assert (await dispatcher.run_once()).commands_expired == 0
    finally:
        await dispatcher.publisher.close()
    with context.db.session() as session:
        row = session.get(DeviceCommand, command.id)
        assert row is not None and row.status is CommandStatus.FAILED
        assert row.error == "no acknowledgement within 30 s"
        shown = [a for a in list_alerts(session) if a.id == row.alert_id]
        assert (
            shown[0].title
            == "设备指令失败 Device command failed: close_valve → 生活水泵 Domestic water pump"
        )
        # a late ack is ignored: the command stays failed
        assert commands.acknowledge(session, row.device_id, row.command_id, now=clock.now()) is None


async def test_a_refused_command_fails_at_once(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    command = close_valve(context, site, clock)
    with context.db.session() as session:
        other = session.scalars(select(Device).where(Device.code == "gate-north")).one()
        assert commands.acknowledge(session, other.id, command.command_id, now=clock.now()) is None
        done = commands.acknowledge(
            session,
            command.device_id,
            command.command_id,
            now=clock.now(),
            data={"id": command.command_id, "ok": False, "reason": "valve jammed"},
        )
        assert done is not None and done.status is CommandStatus.FAILED
        assert done.error == "device refused: valve jammed" and done.alert_id is not None
