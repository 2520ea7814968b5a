"""Ingest: what a device may send, what is stored, and that everything else is a dead letter."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from adapters.mqtt.subscriber import ReceivedMessage
from hub.context import HubContext
from hub.ingest import dead_letter_count, ingest, ingest_batch
from hub.payloads import Event, Parsed, Rejected, Status, Telemetry, parse_message
from hub.services.site import LoadResult
from hub.storage.models import DeadLetter, Device, DeviceEvent, PatrolScan, Reading

P = "estate"
TOPIC = f"{P}/green-garden/leak-b1-101/telemetry"
T0_MS = 1_794_280_000_000  # 2026-11-10 03:06:40 UTC, an hour after the test clock
T0 = datetime.fromtimestamp(T0_MS / 1000, UTC)


def _parse(payload: bytes | str, channel: str = "telemetry") -> Parsed | Rejected:
    raw = payload.encode() if isinstance(payload, str) else payload
    return parse_message(P, f"{P}/green-garden/leak-b1-101/{channel}", raw)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ('{"water_leak": true}', [("water_leak", None, Decimal(1), None)]),
        (
            '{"water_leak": false, "battery": 87}',
            [
                ("water_leak", None, Decimal(0), None),
                ("battery", None, Decimal(87), None),
            ],
        ),
        (
            f'{{"ts": {T0_MS}, "values": {{"pressure_bar": 1.2}}}}',
            [("pressure_bar", T0, Decimal("1.2"), None)],
        ),
        (
            f'[{{"ts": {T0_MS}, "values": {{"t": 1}}}}, '
            f'{{"ts": {T0_MS + 1000}, "values": {{"t": 2}}}}]',
            [("t", T0, Decimal(1), None), ("t", T0 + timedelta(seconds=1), Decimal(2), None)],
        ),
        ('{"mode": "auto"}', [("mode", None, None, "auto")]),
        ('{"energy_kwh": 12345.6789999}', [("energy_kwh", None, Decimal("12345.679000"), None)]),
    ],
)
def test_good_telemetry_parses(payload: str, expected: list[tuple[Any, ...]]) -> None:
    parsed = _parse(payload)
    assert isinstance(parsed, Parsed), parsed
    assert (parsed.site, parsed.device) == ("green-garden", "leak-b1-101")
    assert isinstance(parsed.body, Telemetry)
    assert [(v.metric, v.ts, v.number, v.text) for v in parsed.body.values] == expected


@pytest.mark.parametrize(
    ("payload", "channel", "reason"),
    [
        (b"\xff\xfe", "telemetry", "not UTF-8"),
        ("not json", "telemetry", "not JSON"),
        ('{"t": NaN}', "telemetry", "NaN"),
        ('{"t": 1e400}', "telemetry", "out of range"),
        ('{"t": null}', "telemetry", "is null"),
        ('{"t": {"nested": 1}}', "telemetry", "is dict"),
        ('{"t": [1, 2]}', "telemetry", "is list"),
        ('{"t": "' + "x" * 201 + '"}', "telemetry", "longer than 200"),
        ("{}", "telemetry", "no values"),
        ("[]", "telemetry", "empty list"),
        ("42", "telemetry", "must be an object"),
        ('{"' + "k" * 65 + '": 1}', "telemetry", "1 to 64 characters"),
        ('{"ts": 5, "values": {"t": 1}}', "telemetry", "out of range"),
        ('{"ts": 99999999999999, "values": {"t": 1}}', "telemetry", "out of range"),
        ('{"ts": "yesterday", "values": {"t": 1}}', "telemetry", "epoch milliseconds"),
        ('{"values": {"t": 1}}', "telemetry", "no ts"),
        (f'{{"ts": {T0_MS}, "values": {{"t": 1}}, "extra": 1}}', "telemetry", "only ts and values"),
        (
            f'[{{"ts": {T0_MS}, "values": {{"t": 1}}}}, {{"ts": {T0_MS}, "values": {{"t": 2}}}}]',
            "telemetry",
            "appears twice",
        ),
        (b"{" + b'"a":' * 1 + b"1" + b" " * (64 * 1024) + b"}", "telemetry", "the limit is 65536"),
        ("[" * 5000 + "]" * 5000, "telemetry", "nested too deeply"),
        ('{"data": {}}', "event", "event.kind must be text"),
        ('{"kind": "scan", "data": []}', "event", "event.data must be an object"),
        ('{"kind": "scan", "who": "x"}', "event", "unknown field(s) who"),
        ("sleeping", "status", "must be 'online' or 'offline'"),
        ("", "status", "status is empty"),
        ('{"t": 1}', "command", "command topic"),
    ],
)
def test_bad_payloads_are_rejected_with_a_reason(
    payload: bytes | str, channel: str, reason: str
) -> None:
    parsed = _parse(payload, channel)
    assert isinstance(parsed, Rejected)
    assert reason in parsed.reason


@pytest.mark.parametrize(
    ("topic", "reason"),
    [
        ("other/green-garden/leak-b1-101/telemetry", "is not estate/<site>/<device>/<channel>"),
        ("estate/green-garden/telemetry", "is not estate/<site>/<device>/<channel>"),
        ("estate/green-garden/leak-b1-101/gossip", "unknown channel 'gossip'"),
    ],
)
def test_bad_topics_are_rejected(topic: str, reason: str) -> None:
    parsed = parse_message(P, topic, b'{"t": 1}')
    assert isinstance(parsed, Rejected)
    assert reason in parsed.reason


def test_event_and_status_payloads_parse() -> None:
    event = _parse(
        f'{{"ts": {T0_MS}, "kind": "swipe", "data": {{"card": "A1", "ok": 1.5}}}}', "event"
    )
    assert isinstance(event, Parsed) and event.body == Event("swipe", T0, {"card": "A1", "ok": 1.5})
    for text, online in [("online", True), (" OFFLINE\n", False), ('{"status": "offline"}', False)]:
        status = _parse(text, "status")
        assert isinstance(status, Parsed) and status.body == Status(online)


@settings(max_examples=300, deadline=None)
@given(
    payload=st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=8), inner, max_size=4)
            ),
            max_leaves=12,
        ).map(lambda v: json.dumps(v).encode()),
    ),
    channel=st.sampled_from(["telemetry", "event", "status", "command", "x"]),
    topic_noise=st.text(max_size=20),
)
def test_any_bytes_on_any_topic_are_parsed_or_rejected(
    payload: bytes, channel: str, topic_noise: str
) -> None:
    for topic in (f"{P}/s/d/{channel}", f"{P}/{topic_noise}/d/{channel}", topic_noise):
        result = parse_message(P, topic, payload)
        assert isinstance(result, Parsed | Rejected)
        if isinstance(result, Rejected):
            assert result.reason


# ---------------------------------------------------------------- storing


def _message(
    device: str,
    payload: str | bytes,
    channel: str = "telemetry",
    *,
    site: str = "green-garden",
    retain: bool = False,
) -> ReceivedMessage:
    raw = payload.encode() if isinstance(payload, str) else payload
    return ReceivedMessage(f"{P}/{site}/{device}/{channel}", raw, retain)


def _device(context: HubContext, code: str) -> Device:
    with context.db.session() as session:
        device = session.scalars(select(Device).where(Device.code == code)).one()
        session.expunge(device)
        return device


def test_readings_are_stored_once_and_the_device_is_seen(
    context: HubContext, site: LoadResult
) -> None:
    now = context.clock.now()
    message = _message(
        "pump-1",
        f'{{"ts": {T0_MS}, "values": {{"pressure_bar": 1.2, "running": true, "mode": "auto"}}}}',
    )
    with context.db.session() as session:
        first = ingest(session, message, prefix=P, now=now)
    with context.db.session() as session:
        replay = ingest(session, message, prefix=P, now=now + timedelta(seconds=5))
    assert (first.readings, first.duplicates) == (3, 0)
    assert (replay.readings, replay.duplicates) == (0, 3)
    assert first.observation is not None and replay.observation is not None
    assert [r.id for r in first.observation.readings] == [r.id for r in replay.observation.readings]
    with context.db.session() as session:
        rows = {r.metric: r for r in session.scalars(select(Reading))}
        assert set(rows) == {"pressure_bar", "running", "mode"}
        assert rows["pressure_bar"].value == Decimal("1.2") and rows["pressure_bar"].ts == T0
        assert rows["running"].value == 1 and rows["mode"].text == "auto"
        assert dead_letter_count(session) == 0
    pump = _device(context, "pump-1")
    assert pump.online is True and pump.last_seen_at == now + timedelta(seconds=5)


def test_a_batch_stores_text_exactly_and_repeats_once(
    context: HubContext, site: LoadResult
) -> None:
    """On PostgreSQL a batch goes in by COPY, whose text format gives tab, newline and
    backslash a meaning: a device's text must come back as sent. A batch that repeats a
    stored message, or a message twice, must still store each reading once."""
    now = context.clock.now()
    text = "tab\there, line\nbreak, back\\slash \\N, 中文"
    payload = json.dumps({"ts": T0_MS, "values": {"mode": text, "pressure_bar": 2.5}})
    fresh = [_message("pump-1", payload), _message("leak-b1-101", '{"water_leak": false}')]
    with context.db.session() as session:
        first = ingest_batch(session, fresh, prefix=P, now=now)
    assert [(r.readings, r.duplicates) for r in first] == [(2, 0), (1, 0)]
    with context.db.session() as session:
        stored = session.scalars(select(Reading).where(Reading.metric == "mode")).one()
        assert stored.text == text
    smoke = _message("smoke-b2-hall", '{"smoke": false}')
    again = [_message("pump-1", payload), smoke, smoke]
    with context.db.session() as session:
        second = ingest_batch(session, again, prefix=P, now=now)
    assert [(r.readings, r.duplicates) for r in second] == [(0, 2), (1, 0), (0, 1)]
    replayed, original = second[0].observation, first[0].observation
    assert replayed is not None and original is not None
    assert [r.id for r in replayed.readings] == [r.id for r in original.readings]
    with context.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Reading)) == 4


def test_a_bare_object_is_stamped_with_the_receive_time(
    context: HubContext, site: LoadResult
) -> None:
    now = context.clock.now()
    with context.db.session() as session:
        ingest(session, _message("leak-b1-101", '{"water_leak": false}'), prefix=P, now=now)
        assert session.scalars(select(Reading.ts)).one() == now


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (
            _message("leak-b1-101", '{"water_leak": true}', site="elsewhere"),
            "unknown site 'elsewhere'",
        ),
        (
            _message("leak-b9-999", '{"water_leak": true}'),
            "unknown device 'leak-b9-999' at site 'green-garden'",
        ),
        (_message("leak-b1-101", b"\x00\x01garbage"), "not JSON"),
        (
            _message("leak-b1-101", '{"ts": 4102444799000, "values": {"water_leak": true}}'),
            "ahead of the hub clock",
        ),
        (
            ReceivedMessage(f"{TOPIC}/x", b'{"water_leak": true}'),
            f"topic '{TOPIC}/x' is not estate/<site>/<device>/<channel> (5 levels, not 4)",
        ),
        (
            ReceivedMessage(f"{P}/green-garden/leak-b1-101/x/telemetry", b'{"water_leak": true}'),
            "(5 levels, not 4)",
        ),
        (ReceivedMessage(f"{P}/green-garden/telemetry", b"{}"), "(3 levels, not 4)"),
        (
            _message("em-b1-101", '{"energy_kwh": "1234.56"}'),
            "telemetry.energy_kwh = '1234.56' is text: a meter's energy_kwh must be a JSON number",
        ),
        (
            _message("wm-b1-101", f'{{"ts": {T0_MS}, "values": {{"water_m3": "lots"}}}}'),
            "must be a JSON number",
        ),
    ],
)
def test_unusable_messages_become_dead_letters(
    context: HubContext, site: LoadResult, message: ReceivedMessage, reason: str
) -> None:
    with context.db.session() as session:
        result = ingest(session, message, prefix=P, now=context.clock.now())
    assert result.dead_letter is not None and reason in result.dead_letter
    with context.db.session() as session:
        letter = session.scalars(select(DeadLetter)).one()
        assert (letter.topic, letter.payload) == (message.topic, message.payload)
        assert reason in letter.reason
        assert session.scalars(select(Reading)).all() == []
        assert dead_letter_count(session) == 1


def test_status_and_last_will_change_presence(context: HubContext, site: LoadResult) -> None:
    now = context.clock.now()
    with context.db.session() as session:
        offline = ingest(
            session, _message("gate-north", "offline", "status", retain=True), prefix=P, now=now
        )
        again = ingest(
            session, _message("gate-north", "offline", "status", retain=True), prefix=P, now=now
        )
    assert offline.observation is not None and offline.observation.status is not None
    assert (offline.observation.status.online, offline.observation.status.was_online) == (
        False,
        None,
    )
    assert again.observation is not None and again.observation.status is not None
    assert again.observation.status.was_online is False
    gate = _device(context, "gate-north")
    assert gate.online is False and gate.last_seen_at is None  # the broker spoke, not the gate
    with context.db.session() as session:
        ingest(session, _message("gate-north", '{"barrier": "closed"}'), prefix=P, now=now)
        statuses = [e.data for e in session.scalars(select(DeviceEvent).order_by(DeviceEvent.id))]
    assert statuses == [
        {"status": "offline", "cause": "status"},
        {"status": "online", "cause": "traffic"},
    ]
    assert _device(context, "gate-north").online is True


def test_retained_telemetry_proves_nothing_about_presence(
    context: HubContext, site: LoadResult
) -> None:
    with context.db.session() as session:
        result = ingest(
            session,
            _message("pump-1", '{"pressure_bar": 3.2}', retain=True),
            prefix=P,
            now=context.clock.now(),
        )
    assert (
        result.readings == 1
        and result.observation is not None
        and result.observation.status is None
    )
    pump = _device(context, "pump-1")
    assert pump.online is None and pump.last_seen_at is None


def test_events_are_stored_once(context: HubContext, site: LoadResult) -> None:
    message = _message(
        "gate-north",
        f'{{"ts": {T0_MS}, "kind": "swipe", "data": {{"card": "C7", "granted": false}}}}',
        "event",
    )
    with context.db.session() as session:
        first = ingest(session, message, prefix=P, now=context.clock.now())
        replay = ingest(session, message, prefix=P, now=context.clock.now())
    assert (first.events, replay.events, replay.duplicates) == (1, 0, 1)
    with context.db.session() as session:
        swipes = session.scalars(select(DeviceEvent).where(DeviceEvent.kind == "swipe")).all()
    assert [(e.ts, e.data) for e in swipes] == [(T0, {"card": "C7", "granted": False})]


def test_a_reader_scan_is_a_patrol_scan_and_an_unknown_checkpoint_a_dead_letter(
    context: HubContext, site: LoadResult
) -> None:
    now = context.clock.now()
    good = _message(
        "cpr-north", '{"kind": "scan", "data": {"checkpoint": "CP-NORTH-GATE"}}', "event"
    )
    bad = _message("cpr-north", '{"kind": "scan", "data": {"checkpoint": "CP-NOWHERE"}}', "event")
    empty = _message("cpr-north", '{"kind": "scan", "data": {}}', "event")
    with context.db.session() as session:
        assert ingest(session, good, prefix=P, now=now).events == 1
        unknown = ingest(session, bad, prefix=P, now=now)
        missing = ingest(session, empty, prefix=P, now=now)
    assert unknown.dead_letter is not None and "CP-NOWHERE" in unknown.dead_letter
    assert missing.dead_letter is not None and "data.checkpoint" in missing.dead_letter
    with context.db.session() as session:
        scans = session.scalars(select(PatrolScan)).all()
        assert [(s.scanned_at, s.device_id) for s in scans] == [
            (now, _device(context, "cpr-north").id)
        ]
        assert dead_letter_count(session) == 2
        assert (
            len(session.scalars(select(DeviceEvent).where(DeviceEvent.kind == "scan")).all()) == 1
        )
