"""Readings whose own time the hub cannot believe: too old (unless an edge gateway's replay, up to
the replay age) or too far ahead. They become dead letters, so they can never move a bill."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from adapters.modbus.register_map import DeviceMap
from adapters.modbus.server import ModbusServer
from adapters.mqtt.subscriber import ReceivedMessage
from adapters.mqtt.topics import Channel
from edge.buffer import Buffered
from edge.config import SAMPLE_EDGE, EdgeConfig, parse_edge_config
from edge.gateway import EdgeGateway
from hub.clock import FakeClock
from hub.context import HubContext
from hub.ingest import ReadingAges, ingest, ingest_batch
from hub.payloads import Parsed, Rejected, Telemetry, parse_message
from hub.services.site import LoadResult
from hub.settings import Settings, get_settings
from hub.storage.models import DeadLetter, Reading
from tests.adapters.mqtt_probe import MqttProbe

P = "estate"
METER = f"{P}/green-garden/em-b1-101/telemetry"


def _ms(at: datetime) -> int:
    return round(at.timestamp() * 1000)


def _reading(at: datetime, kwh: int, *, replayed: bool | None = None) -> ReceivedMessage:
    body: dict[str, object] = {"ts": _ms(at), "values": {"energy_kwh": kwh}}
    if replayed is not None:
        body["replayed"] = replayed
    return ReceivedMessage(METER, json.dumps(body).encode(), False)


def _ingest(context: HubContext, message: ReceivedMessage) -> str | None:
    with context.db.session() as session:
        return ingest(session, message, prefix=P, now=context.clock.now()).dead_letter


def _stored(context: HubContext) -> list[tuple[datetime, Decimal | None]]:
    with context.db.session() as session:
        return [(r.ts, r.value) for r in session.scalars(select(Reading).order_by(Reading.ts))]


def test_defaults_are_three_days_and_a_month_for_replays(settings: Settings) -> None:
    ages = ReadingAges.of(settings)
    assert (ages.max_age, ages.replay_max_age) == (timedelta(hours=72), timedelta(days=31))


def test_the_ages_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_READING_MAX_AGE", "PT24H")
    monkeypatch.setenv("HUB_READING_REPLAY_MAX_AGE", "P14D")
    get_settings.cache_clear()
    try:
        ages = ReadingAges.of(get_settings())
    finally:
        get_settings.cache_clear()
    assert (ages.max_age, ages.replay_max_age) == (timedelta(hours=24), timedelta(days=14))


def test_a_reading_from_november_2023_is_a_dead_letter(
    context: HubContext, site: LoadResult
) -> None:
    reason = _ingest(context, _reading(datetime(2023, 11, 5, 8, 0, tzinfo=UTC), 10))
    assert reason is not None
    assert reason.startswith("ts 2023-11-05T08:00:00+00:00 is more than 3 days, 0:00:00 behind")
    assert "too old to trust (HUB_READING_MAX_AGE)" in reason
    assert _stored(context) == []
    with context.db.session() as session:
        assert session.scalars(select(DeadLetter.topic)).all() == [METER]


def test_just_inside_the_age_is_stored_just_outside_is_not(
    context: HubContext, site: LoadResult
) -> None:
    now = context.clock.now()
    inside = now - timedelta(hours=72)
    assert _ingest(context, _reading(inside, 10)) is None
    assert _ingest(context, _reading(inside - timedelta(milliseconds=1), 9)) is not None
    assert _stored(context) == [(inside, Decimal(10))]


def test_one_old_entry_makes_the_whole_message_a_dead_letter(
    context: HubContext, site: LoadResult
) -> None:
    now = context.clock.now()
    body = [
        {"ts": _ms(now), "values": {"energy_kwh": 11}},
        {"ts": _ms(now - timedelta(days=4)), "values": {"energy_kwh": 10}},
    ]
    message = ReceivedMessage(METER, json.dumps(body).encode(), False)
    assert "too old" in (_ingest(context, message) or "")
    assert _stored(context) == []


def test_a_replay_is_trusted_up_to_the_replay_age(context: HubContext, site: LoadResult) -> None:
    now = context.clock.now()
    ten_days = now - timedelta(days=10)
    assert _ingest(context, _reading(ten_days, 10, replayed=True)) is None
    not_marked = _ingest(context, _reading(ten_days + timedelta(minutes=1), 11))
    assert not_marked is not None and "HUB_READING_MAX_AGE)" in not_marked
    too_old = _ingest(context, _reading(now - timedelta(days=32), 5, replayed=True))
    assert too_old is not None
    assert "more than 31 days, 0:00:00 behind" in too_old
    assert "HUB_READING_REPLAY_MAX_AGE for a replay" in too_old
    assert _stored(context) == [(ten_days, Decimal(10))]


def test_the_age_limits_are_the_callers_to_choose(context: HubContext, site: LoadResult) -> None:
    now = context.clock.now()
    ages = ReadingAges(max_age=timedelta(hours=1), replay_max_age=timedelta(hours=2))
    two_hours = now - timedelta(hours=2)
    messages = [_reading(two_hours, 1), _reading(two_hours, 1, replayed=True)]
    with context.db.session() as session:
        strict, replay = ingest_batch(session, messages, prefix=P, now=now, ages=ages)
    assert strict.dead_letter is not None and "more than 1:00:00 behind" in strict.dead_letter
    assert replay.dead_letter is None
    assert _stored(context) == [(two_hours, Decimal(1))]


def test_the_future_limit_still_applies_to_replays(context: HubContext, site: LoadResult) -> None:
    ahead = context.clock.now() + timedelta(days=2)
    reason = _ingest(context, _reading(ahead, 10, replayed=True))
    assert reason is not None and "ahead of the hub clock" in reason


def test_an_old_event_is_a_dead_letter_too(context: HubContext, site: LoadResult) -> None:
    old = _ms(context.clock.now() - timedelta(days=30))
    payload = json.dumps({"ts": old, "kind": "swipe", "data": {"card": "C7"}}).encode()
    reason = _ingest(context, ReceivedMessage(f"{P}/green-garden/gate-north/event", payload, False))
    assert reason is not None and "too old to trust" in reason


@pytest.mark.parametrize(
    ("entry", "replayed"),
    [
        ('{"ts": 1794280000000, "values": {"t": 1}, "replayed": true}', True),
        ('{"ts": 1794280000000, "values": {"t": 1}, "replayed": false}', False),
        ('{"ts": 1794280000000, "values": {"t": 1}}', False),
        ('{"replayed": true}', False),  # a bare object: a metric named replayed, not the mark
        (
            '[{"ts": 1794280000000, "values": {"t": 1}, "replayed": true},'
            ' {"ts": 1794280001000, "values": {"t": 2}}]',
            False,  # a replay only if every entry says so
        ),
    ],
)
def test_the_replay_mark_parses(entry: str, replayed: bool) -> None:
    parsed = parse_message(P, METER, entry.encode())
    assert isinstance(parsed, Parsed) and isinstance(parsed.body, Telemetry)
    assert parsed.body.replayed is replayed


def test_a_replay_mark_that_is_not_a_boolean_is_refused() -> None:
    parsed = parse_message(P, METER, b'{"ts": 1794280000000, "values": {"t": 1}, "replayed": 1}')
    assert parsed == Rejected("telemetry.replayed must be true or false")


@pytest.fixture
async def meters() -> AsyncIterator[ModbusServer]:
    async with ModbusServer([1, 2, 3]) as server:
        yield server


def _gateway(mqtt_url: str, prefix: str, meters: ModbusServer) -> tuple[EdgeConfig, DeviceMap, str]:
    """The sample gateway on this test's broker and meters, its first device and its topic."""
    config = parse_edge_config(SAMPLE_EDGE).retarget(
        mqtt_url=mqtt_url, prefix=prefix, modbus_host=meters.host, modbus_port=meters.port
    )
    device = config.devices[0]
    return config, device, f"{prefix}/green-garden/{device.device}/telemetry"


async def test_the_gateway_marks_what_waited_and_only_that(
    mqtt_url: str, topic_prefix: str, meters: ModbusServer, clock: FakeClock
) -> None:
    config, device, topic = _gateway(mqtt_url, topic_prefix, meters)
    first_ms = _ms(clock.now())
    async with MqttProbe(mqtt_url, topic) as probe, EdgeGateway(config, clock=clock) as gateway:
        await gateway.poll_device(device)  # buffered; the broker "was away"
        clock.advance(timedelta(minutes=5))
        await gateway.poll_device(device)
        assert await gateway.forward() == 2
        await probe.wait_for(lambda s: s.json()["ts"] == first_ms + 300_000)
    payloads = [s.json() for s in probe.seen]
    assert [(p["ts"], p.get("replayed")) for p in payloads] == [
        (first_ms, True),  # the original poll time, marked
        (first_ms + 300_000, None),  # live: exactly as before
    ]


async def test_what_a_restarted_gateway_kept_is_a_replay(
    mqtt_url: str, topic_prefix: str, meters: ModbusServer, clock: FakeClock
) -> None:
    config, device, topic = _gateway(mqtt_url, topic_prefix, meters)
    async with EdgeGateway(config, clock=clock) as first:
        await first.poll_device(device)
    async with MqttProbe(mqtt_url, topic) as probe, EdgeGateway(config, clock=clock) as second:
        assert await second.forward() == 1
        seen = await probe.wait_for(lambda s: s.topic == topic)
    assert seen.json()["replayed"] is True
    assert seen.json()["ts"] == _ms(clock.now())


def test_only_telemetry_that_waited_is_marked() -> None:
    polled = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
    body = '{"ts":1794276000000,"values":{"energy_kwh":1234.56}}'
    telemetry = Buffered(1, "em-b1-101", Channel.TELEMETRY, _ms(polled), body)
    status = Buffered(2, "em-b1-101", Channel.STATUS, _ms(polled), "offline", True)
    assert telemetry.to_send(None) == body
    assert telemetry.to_send(polled + timedelta(minutes=1)) == body
    marked = telemetry.to_send(polled + timedelta(minutes=1, milliseconds=1))
    assert json.loads(marked) == {**json.loads(body), "replayed": True}
    assert status.to_send(polled + timedelta(days=1)) == "offline"
