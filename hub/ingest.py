"""MQTT message -> stored `Reading`s, a `DeviceEvent` or a presence change, or a `DeadLetter`.

Nothing is dropped silently: every message ends as stored rows (a replay finds its rows already
there and stores nothing twice) or as a dead letter keeping the topic, the raw bytes and the
reason. `parse_message` is the pure half (contract and limits: docs/ingest.md); `ingest` the
half that needs the database. Both hand the rules engine plain facts, never rows.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from adapters.mqtt.subscriber import ReceivedMessage
from adapters.mqtt.topics import Channel, parse_topic
from hub.domain import DeviceKind, ScanSource
from hub.errors import ConfigError, HubError
from hub.storage.models import DeadLetter, Device, DeviceEvent, Reading, Site
from rules.facts import DeviceInfo, EventFact, Observation, Presence, ReadingFact, StatusChange

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 64 * 1024
MAX_KEY_CHARS = 64
MAX_TEXT_CHARS = 200
MAX_DATA_DEPTH = 16
MAX_AHEAD = timedelta(days=1)  # a device clock further ahead than this is wrong, not early
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EARLIEST_MS = int((datetime(2000, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds() * 1000)
_LATEST_MS = int((datetime(2100, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds() * 1000)
_VALUE_LIMIT = Decimal(10) ** 14  # the readings column holds 14 digits before the point
_STEP = Decimal("0.000001")  # ... and 6 after it


# ---------------------------------------------------------------- parsing (pure)


@dataclass(frozen=True)
class Value:
    """One telemetry value; `ts` None means "when the hub received it"."""

    metric: str
    ts: datetime | None
    number: Decimal | None  # booleans are 1/0
    text: str | None


@dataclass(frozen=True)
class Telemetry:
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Event:
    kind: str
    ts: datetime | None
    data: dict[str, Any]


@dataclass(frozen=True)
class Status:
    online: bool


@dataclass(frozen=True)
class Parsed:
    site: str
    device: str
    channel: Channel
    body: Telemetry | Event | Status


@dataclass(frozen=True)
class Rejected:
    reason: str


class _Bad(Exception):
    """A payload that breaks the contract; the message is the dead letter's reason."""


def parse_message(prefix: str, topic: str, payload: bytes) -> Parsed | Rejected:
    """Check topic and payload against the contract; never raises, whatever the bytes."""
    try:
        where = parse_topic(prefix, topic)
    except ValueError as exc:
        return Rejected(str(exc))
    if where.channel is Channel.COMMAND:
        return Rejected(f"topic {topic!r} is a command topic: commands go to devices, not the hub")
    if len(payload) > MAX_PAYLOAD_BYTES:
        return Rejected(f"payload is {len(payload)} bytes; the limit is {MAX_PAYLOAD_BYTES}")
    try:
        if where.channel is Channel.TELEMETRY:
            body: Telemetry | Event | Status = _telemetry(_json(payload))
        elif where.channel is Channel.EVENT:
            body = _event(_json(payload))
        else:
            body = _status(payload)
    except _Bad as exc:
        return Rejected(str(exc))
    except RecursionError:
        return Rejected("payload is nested too deeply")
    return Parsed(where.site, where.device, where.channel, body)


def _json(payload: bytes) -> Any:
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Bad(f"payload is not UTF-8 text (bad byte at {exc.start})") from None
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except ValueError as exc:
        raise _Bad(f"payload is not JSON: {exc}") from None


def _no_constant(name: str) -> Any:
    raise _Bad(f"payload has {name}, which is not a number")


def _telemetry(data: Any) -> Telemetry:
    entries = data if isinstance(data, list) else [data]
    if not entries:
        raise _Bad("telemetry is an empty list")
    values: list[Value] = []
    seen: set[tuple[str, datetime | None]] = set()
    for index, entry in enumerate(entries):
        at = f"telemetry[{index}]" if isinstance(data, list) else "telemetry"
        if not isinstance(entry, dict):
            raise _Bad(f'{at} must be an object: {{values}} or {{"ts": ms, "values": {{...}}}}')
        ts, fields = _timestamped(entry, at)
        if not fields:
            raise _Bad(f"{at} has no values")
        for metric, raw in fields.items():
            if (metric, ts) in seen:
                raise _Bad(f"{at}: {metric!r} appears twice for the same time")
            seen.add((metric, ts))
            values.append(_value(metric, raw, ts, at))
    return Telemetry(tuple(values))


def _timestamped(entry: dict[str, Any], at: str) -> tuple[datetime | None, dict[str, Any]]:
    """`{"ts": ms, "values": {...}}` (ThingsBoard), or a bare object of values."""
    if "values" not in entry:
        return None, entry
    extra = sorted(set(entry) - {"ts", "values"})
    if extra:
        raise _Bad(f"{at} has values and also {', '.join(extra)}: only ts and values may be given")
    if "ts" not in entry:
        raise _Bad(f"{at} has values but no ts")
    if not isinstance(entry["values"], dict):
        raise _Bad(f"{at}.values must be an object of name: value")
    return _ts(entry["ts"], at), entry["values"]


def _ts(raw: Any, at: str) -> datetime:
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
        raise _Bad(f"{at}.ts must be epoch milliseconds (a number), got {type(raw).__name__}")
    if not _EARLIEST_MS <= raw < _LATEST_MS:
        raise _Bad(f"{at}.ts {raw} is out of range: epoch milliseconds from 2000 to 2100")
    return _EPOCH + timedelta(microseconds=int(Decimal(raw) * 1000))


def _key(name: str, at: str) -> str:
    if not 1 <= len(name) <= MAX_KEY_CHARS or "\x00" in name:
        raise _Bad(f"{at}: name {name[:80]!r} must be 1 to {MAX_KEY_CHARS} characters")
    return name


def _value(metric: str, raw: Any, ts: datetime | None, at: str) -> Value:
    _key(metric, at)
    if isinstance(raw, bool):
        return Value(metric, ts, Decimal(int(raw)), None)
    if isinstance(raw, int | Decimal):
        number = Decimal(raw)
        if not number.is_finite() or abs(number) >= _VALUE_LIMIT:
            raise _Bad(f"{at}.{metric} = {raw} is out of range (|value| < 10^14)")
        return Value(metric, ts, number.quantize(_STEP), None)
    if isinstance(raw, str):
        if len(raw) > MAX_TEXT_CHARS or "\x00" in raw:
            raise _Bad(f"{at}.{metric}: text longer than {MAX_TEXT_CHARS} characters (or with NUL)")
        return Value(metric, ts, None, raw)
    kind = "null" if raw is None else type(raw).__name__
    raise _Bad(f"{at}.{metric} is {kind}: values are numbers, booleans or short text")


def _event(data: Any) -> Event:
    if not isinstance(data, dict):
        raise _Bad('event must be an object: {"kind": "...", "ts": ms, "data": {...}}')
    extra = sorted(set(data) - {"ts", "kind", "data"})
    if extra:
        raise _Bad(f"event has unknown field(s) {', '.join(extra)}: only ts, kind, data")
    kind = data.get("kind")
    if not isinstance(kind, str):
        raise _Bad("event.kind must be text, e.g. scan or swipe")
    details = data.get("data", {})
    if not isinstance(details, dict):
        raise _Bad("event.data must be an object")
    ts = _ts(data["ts"], "event") if "ts" in data else None
    return Event(_key(kind, "event.kind"), ts, _plain(details, 0))


def _plain(item: Any, depth: int) -> Any:
    """Event data as plain JSON types (JSON columns take no Decimal), within sane bounds."""
    if depth > MAX_DATA_DEPTH:
        raise _Bad(f"event.data is nested deeper than {MAX_DATA_DEPTH} levels")
    if isinstance(item, dict):
        return {_key(k, "event.data"): _plain(v, depth + 1) for k, v in item.items()}
    if isinstance(item, list):
        return [_plain(v, depth + 1) for v in item]
    if isinstance(item, Decimal):
        if not item.is_finite() or abs(item) >= _VALUE_LIMIT:
            raise _Bad(f"event.data has an out-of-range number {item}")
        return int(item) if item == item.to_integral_value() else float(item)
    if isinstance(item, str) and "\x00" in item:
        raise _Bad("event.data has text with a NUL character")
    return item


def _status(payload: bytes) -> Status:
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise _Bad("status is not UTF-8 text") from None
    if not text:
        raise _Bad("status is empty (was a retained status cleared?)")
    if text.startswith("{"):
        data = _json(payload)
        word = data.get("status") if isinstance(data, dict) else None
        text = word if isinstance(word, str) else ""
    word = text.lower()
    if word not in ("online", "offline"):
        raise _Bad(
            f"status must be 'online' or 'offline' (or {{\"status\": ...}}), got {text[:40]!r}"
        )
    return Status(word == "online")


# ---------------------------------------------------------------- storing


@dataclass(frozen=True)
class IngestResult:
    readings: int = 0  # stored now
    duplicates: int = 0  # readings or events already stored (a replay)
    events: int = 0
    dead_letter: str | None = None  # the reason, when the message became a dead letter
    observation: Observation | None = field(default=None, repr=False)


@dataclass(frozen=True)
class _Readings:
    """Telemetry checked and waiting for the batch's one insert."""

    device: Device
    info: DeviceInfo
    status: StatusChange | None
    values: tuple[Value, ...]


def ingest(
    session: Session, message: ReceivedMessage, *, prefix: str, now: datetime
) -> IngestResult:
    """Store what `message` says, or dead-letter it; the result feeds the rules engine."""
    return ingest_batch(session, [message], prefix=prefix, now=now)[0]


def ingest_batch(
    session: Session, messages: Sequence[ReceivedMessage], *, prefix: str, now: datetime
) -> list[IngestResult]:
    """`ingest` for many messages, in order, with few round trips: their devices are looked up
    in one query and all their readings go in one multi-row insert (duplicates skipped)."""
    parsed = [parse_message(prefix, m.topic, m.payload) for m in messages]
    _prefetch_devices(session, {(p.site, p.device) for p in parsed if isinstance(p, Parsed)})
    results = [_ingest_parsed(session, m, p, now) for m, p in zip(messages, parsed, strict=True)]
    waiting = [r for r in results if isinstance(r, _Readings)]
    stored = iter(_store_readings(session, waiting, now) if waiting else [])
    return [next(stored) if isinstance(r, _Readings) else r for r in results]


def _ingest_parsed(
    session: Session, message: ReceivedMessage, parsed: Parsed | Rejected, now: datetime
) -> IngestResult | _Readings:
    if isinstance(parsed, Rejected):
        return dead_letter(session, message, parsed.reason, now=now)
    device = _device(session, parsed.site, parsed.device)
    if isinstance(device, str):
        return dead_letter(session, message, device, now=now)
    info = device_info(device)
    body = parsed.body
    if isinstance(body, Status):
        status = _presence(session, device, message, now, online=body.online, reported=True)
        return IngestResult(observation=Observation(info, status=status))
    status = _presence(session, device, message, now, online=True, reported=False)  # it spoke
    late = _too_far_ahead(body, now)
    if late is not None:
        return dead_letter(
            session, message, late, now=now, observation=Observation(info, status=status)
        )
    if isinstance(body, Telemetry):
        return _Readings(device, info, status, body.values)
    event, new, problem = _store_event(session, device, body, now)
    if problem is not None:
        return dead_letter(
            session, message, problem, now=now, observation=Observation(info, status=status)
        )
    return IngestResult(
        events=int(new),
        duplicates=int(not new),
        observation=Observation(info, (), (event,), status),
    )


def dead_letter(
    session: Session,
    message: ReceivedMessage,
    reason: str,
    *,
    now: datetime,
    observation: Observation | None = None,
) -> IngestResult:
    """Keep the message byte for byte with why it could not be used."""
    topic = message.topic.replace("\x00", "\\x00")[:512]
    session.add(DeadLetter(received_at=now, topic=topic, payload=message.payload, reason=reason))
    log.info("dead letter from %s: %s", topic, reason)
    return IngestResult(dead_letter=reason, observation=observation)


def dead_letter_count(session: Session) -> int:
    return session.scalar(select(func.count(DeadLetter.id))) or 0


def device_info(device: Device) -> DeviceInfo:
    return DeviceInfo(
        id=device.id,
        site_id=device.site_id,
        code=device.code,
        kind=device.kind,
        name=device.name,
        location=device.location,
        heartbeat_s=device.heartbeat_s,
        home_id=device.home_id,
    )


def presences(session: Session, kinds: Iterable[DeviceKind]) -> list[Presence]:
    """Devices of `kinds` with when they last spoke, for the silence timer."""
    devices = session.scalars(
        select(Device).where(Device.kind.in_(list(kinds))).order_by(Device.id)
    )
    return [Presence(device_info(d), d.last_seen_at, d.online) for d in devices]


def mark_silent(session: Session, device_ids: Iterable[int], *, now: datetime) -> None:
    """Record that these devices went quiet past their limit (an offline rule fired)."""
    for device_id in sorted(set(device_ids)):
        device = session.get(Device, device_id)
        if device is not None and device.online is not False:
            _record_status(session, device, False, "silence", now)


_CACHE = "hub_ingest_devices"


def _prefetch_devices(session: Session, wanted: set[tuple[str, str]]) -> None:
    """Load a batch's devices in one query per site into the session's device cache."""
    cache: dict[tuple[str, str], Device] = session.info.setdefault(_CACHE, {})
    by_site: dict[str, set[str]] = {}
    for site, code in wanted - cache.keys():
        by_site.setdefault(site, set()).add(code)
    for site, codes in by_site.items():
        query = select(Device).join(Site, Site.id == Device.site_id)
        found = session.scalars(query.where(Site.code == site, Device.code.in_(sorted(codes))))
        cache.update({(site, device.code): device for device in found})


def _device(session: Session, site: str, code: str) -> Device | str:
    """The device for (site code, device code), or why there is none.

    Found devices are kept for the session: the identity map holds clean objects only weakly,
    so without this every message of a batch would select its device again.
    """
    cache: dict[tuple[str, str], Device] = session.info.setdefault(_CACHE, {})
    if (site, code) in cache:
        return cache[(site, code)]
    query = select(Device).join(Site, Site.id == Device.site_id)
    found = session.scalars(query.where(Site.code == site, Device.code == code)).one_or_none()
    if found is None:
        if session.scalar(select(Site.id).where(Site.code == site)) is None:
            return f"unknown site {site!r}"
        return f"unknown device {code!r} at site {site!r}"
    cache[(site, code)] = found
    return found


def _presence(
    session: Session,
    device: Device,
    message: ReceivedMessage,
    now: datetime,
    *,
    online: bool,
    reported: bool,
) -> StatusChange | None:
    """Update last seen and online. A retained message is old news: retained telemetry proves
    nothing, and only a status message (e.g. the last will's `offline`) changes presence."""
    if message.retain and not reported:
        return None
    was = device.online
    if online and not message.retain and device.last_seen_at != now:
        device.last_seen_at = now
    if was is not online:
        _record_status(session, device, online, "status" if reported else "traffic", now)
    return StatusChange(online=online, was_online=was, reported=reported)


def _record_status(
    session: Session, device: Device, online: bool, cause: str, now: datetime
) -> None:
    device.online = online
    status = "online" if online else "offline"
    session.add(
        DeviceEvent(
            device_id=device.id,
            kind="status",
            ts=now,
            data={"status": status, "cause": cause},
            received_at=now,
        )
    )


def _too_far_ahead(body: Telemetry | Event, now: datetime) -> str | None:
    stamps = [v.ts for v in body.values] if isinstance(body, Telemetry) else [body.ts]
    latest = max((ts for ts in stamps if ts is not None), default=None)
    if latest is not None and latest > now + MAX_AHEAD:
        ahead = f"more than {MAX_AHEAD} ahead of the hub clock ({now.isoformat()})"
        return f"ts {latest.isoformat()} is {ahead}"
    return None


def _store_readings(
    session: Session, waiting: list[_Readings], now: datetime
) -> list[IngestResult]:
    """One insert for the whole batch, skipping (device, metric, ts) already stored; each
    message's facts carry every reading's id, and a reading counts as stored once."""
    stamped = [
        [(w.device.id, v.metric, v.ts or now, v.number, v.text) for v in w.values] for w in waiting
    ]
    rows = [
        {
            "device_id": device_id,
            "metric": metric,
            "ts": ts,
            "value": number,
            "text": text,
            "source": "mqtt",
            "received_at": now,
        }
        for values in stamped
        for device_id, metric, ts, number, text in values
    ]
    inserted = session.execute(_insert_readings(session), rows)
    ids = {(device_id, metric, ts): row_id for row_id, device_id, metric, ts in inserted}
    new = set(ids)
    missing = {key[:3] for values in stamped for key in values if key[:3] not in ids}
    ids.update(_earlier_readings(session, missing))
    results = []
    for message, values in zip(waiting, stamped, strict=True):
        facts = [ReadingFact(ids.get((d, m, ts)), m, ts, n, t) for d, m, ts, n, t in values]
        fresh = {key[:3] for key in values} & new
        new -= fresh
        observation = Observation(message.info, readings=tuple(facts), status=message.status)
        results.append(IngestResult(len(fresh), len(facts) - len(fresh), observation=observation))
    return results


def _earlier_readings(
    session: Session, keys: set[tuple[int, str, datetime]]
) -> dict[tuple[int, str, datetime], int]:
    """Ids of readings stored before (a replay), by (device id, metric, ts)."""
    found: dict[tuple[int, str, datetime], int] = {}
    ordered = sorted(keys)
    for i in range(0, len(ordered), 300):
        key = tuple_(Reading.device_id, Reading.metric, Reading.ts)
        query = select(Reading.id, Reading.device_id, Reading.metric, Reading.ts).where(
            key.in_(ordered[i : i + 300])
        )
        found.update({(d, m, ts): row_id for row_id, d, m, ts in session.execute(query)})
    return found


def _insert_readings(session: Session) -> Any:
    """One constant statement per dialect (so it is compiled once), run for many rows."""
    dialect = session.get_bind().dialect.name
    if dialect not in _READING_INSERTS:
        raise ConfigError(f"readings need SQLite or PostgreSQL, not {dialect}")
    return _READING_INSERTS[dialect]


_READINGS = Reading.__table__
assert isinstance(_READINGS, Table)
_READING_INSERTS = {
    name: insert(_READINGS)
    .on_conflict_do_nothing(index_elements=["device_id", "metric", "ts"])
    .returning(_READINGS.c.id, _READINGS.c.device_id, _READINGS.c.metric, _READINGS.c.ts)
    for name, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def _store_event(
    session: Session, device: Device, body: Event, now: datetime
) -> tuple[EventFact, bool, str | None]:
    """(fact, stored now, problem); a replay of a stored event is found, not stored again.

    A checkpoint reader's `scan` becomes a patrol scan too; a checkpoint the site does not
    know is the message's problem (it is dead-lettered), not an error of the hub.
    """
    ts = body.ts or now
    same = select(DeviceEvent.id, DeviceEvent.data).where(
        DeviceEvent.device_id == device.id, DeviceEvent.kind == body.kind, DeviceEvent.ts == ts
    )
    for event_id, data in session.execute(same):
        if data == body.data:
            return EventFact(event_id, body.kind, ts, body.data), False, None
    if device.kind is DeviceKind.CHECKPOINT_READER and body.kind == "scan":
        problem = _record_reader_scan(session, device, body, ts, now)
        if problem is not None:
            return EventFact(None, body.kind, ts, body.data), False, problem
    event = DeviceEvent(device_id=device.id, kind=body.kind, ts=ts, data=body.data, received_at=now)
    session.add(event)
    session.flush()
    return EventFact(event.id, body.kind, ts, body.data), True, None


def _record_reader_scan(
    session: Session, device: Device, body: Event, ts: datetime, now: datetime
) -> str | None:
    checkpoint = body.data.get("checkpoint")
    if not isinstance(checkpoint, str) or not checkpoint:
        return "scan event has no data.checkpoint (the checkpoint code)"
    from hub.services import patrol  # written alongside; imported when a reader first scans

    try:
        with session.begin_nested():
            patrol.record_scan(
                session,
                site_id=device.site_id,
                checkpoint_code=checkpoint,
                source=ScanSource.READER,
                at=ts,
                now=now,
                device_id=device.id,
            )
    except HubError as exc:
        return f"scan of checkpoint {checkpoint!r} refused: {exc}"
    return None
