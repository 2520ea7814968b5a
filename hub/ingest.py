"""MQTT message -> stored `Reading`s, a `DeviceEvent` or a presence change, or a `DeadLetter`.

Nothing is dropped silently: every message ends as stored rows (a replay finds its rows already
there and stores nothing twice) or as a dead letter keeping the topic, the raw bytes and the
reason. The pure half, the device contract, is `hub.payloads`; this is the half that needs the
database, built for batches: a batch of messages costs a few statements (its devices' presence,
its readings in one COPY), not a few per message. Both hand the rules engine plain facts.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from adapters.mqtt.subscriber import ReceivedMessage
from hub.domain import DeviceKind, ScanSource
from hub.errors import HubError
from hub.payloads import (
    Event,
    Parsed,
    Rejected,
    Status,
    Telemetry,
    Value,
    parse_message,
    storable,
)
from hub.services.devices import presence_changed
from hub.services.late_readings import StoredReading, flag_late_readings
from hub.settings import Settings, get_settings
from hub.storage.base import Base
from hub.storage.models import DeadLetter, Device, DeviceEvent, Meter, Site
from hub.storage.readings import store_readings
from hub.storage.sql import among
from rules.facts import DeviceInfo, EventFact, Observation, Presence, ReadingFact, StatusChange

log = logging.getLogger(__name__)

DEAD_LETTER_KEEP = 4096  # bytes of a refused payload kept: enough to see what it was
MAX_AHEAD = timedelta(days=1)  # a device clock further ahead than this is wrong, not early


@dataclass(frozen=True)
class ReadingAges:
    """How far back a device's own time may go: older is forged or a broken clock, except an
    edge gateway's buffered replay, trusted as long as its buffer keeps messages."""

    max_age: timedelta
    replay_max_age: timedelta

    @classmethod
    def of(cls, settings: Settings) -> ReadingAges:
        return cls(settings.reading_max_age, settings.reading_replay_max_age)


@dataclass(frozen=True)
class IngestResult:
    readings: int = 0  # stored now
    duplicates: int = 0  # readings or events already stored (a replay)
    events: int = 0
    dead_letter: str | None = None  # the reason, when the message became a dead letter
    observation: Observation | None = field(default=None, repr=False)


# The columns a device's `DeviceInfo` is made of, in its field order
_INFO_COLUMNS = ("id", "site_id", "code", "kind", "name", "location", "heartbeat_s", "home_id")
_HEARTBEAT = _INFO_COLUMNS.index("heartbeat_s")
# Core statements on the table: the ORM's bulk update costs more than the write itself
_DEVICES: Table = Base.metadata.tables["devices"]

SEEN_EVERY = timedelta(seconds=5)  # `last_seen_at` is rewritten at most this often a device


class DeviceDirectory:
    """Devices by (site code, device code) as plain facts, kept across batches.

    A device's name, location and home change rarely (a site file is loaded again), so each
    entry is trusted for `ttl_s`. Presence is the worker's own to write (one worker serves a
    device: hub/partitions.py), so what it last wrote is kept too, and a device that speaks
    again within `SEEN_EVERY` costs no write then: when it was heard is held here until
    `write_seen`, which the silence timer calls first, so an offline limit holds to the second.
    The worker forgets what it wrote when a batch fails; what it heard stays true.
    """

    def __init__(self, ttl_s: float = 60.0) -> None:
        self.ttl_s = ttl_s
        self._known: dict[tuple[str, str], DeviceInfo] = {}
        self._since = time.monotonic()
        self._written: dict[int, tuple[datetime, bool | None]] = {}  # id -> (last seen, online)
        self._numbers: dict[int, frozenset[str]] = {}  # id -> metrics that must be numbers
        self._held: dict[int, datetime] = {}  # id -> last heard, not written yet

    def written_since(self, since: datetime, ids: Iterable[int]) -> dict[int, bool | None]:
        """`online` as last written, for those of `ids` whose last seen was written from `since`."""
        written = self._written
        return {i: written[i][1] for i in ids if i in written and written[i][0] >= since}

    def wrote(self, at: datetime | None, online: dict[int, bool | None]) -> None:
        """Note what was written: presence, and the last seen `at` when given."""
        for device_id, value in online.items():
            seen = at if at is not None else self._written.get(device_id, (None, None))[0]
            if seen is not None:
                self._written[device_id] = (seen, value)
            if at is not None:
                self._held.pop(device_id, None)

    def hold(self, at: datetime, device_ids: Iterable[int]) -> None:
        """These devices were heard `at`, too soon after the last write to write it again."""
        self._held.update(dict.fromkeys(device_ids, at))

    def write_seen(self, session: Session) -> None:
        """Write the held last-seen times: one statement per time (per batch that held some)."""
        by_time: dict[datetime, list[int]] = {}
        for device_id, at in self._held.items():
            by_time.setdefault(at, []).append(device_id)
        for at, ids in by_time.items():
            seen = update(_DEVICES).where(among(session, _DEVICES.c.id, ids))
            session.execute(seen.values(last_seen_at=at))
        self._held = {}

    def forget_presence(self, device_ids: Iterable[int] | None = None) -> None:
        """Read presence from the database again: all, or these devices'."""
        if device_ids is None:
            self._written = {}
        for device_id in device_ids or ():
            self._written.pop(device_id, None)

    def find(
        self, session: Session, wanted: set[tuple[str, str]]
    ) -> dict[tuple[str, str], DeviceInfo]:
        """The wanted devices that exist; one query per site for those not known yet."""
        if time.monotonic() - self._since > self.ttl_s:
            self._known, self._numbers, self._since = {}, {}, time.monotonic()
        by_site: dict[str, set[str]] = {}
        for site, code in wanted - self._known.keys():
            by_site.setdefault(site, set()).add(code)
        columns = _DEVICES.c
        for site, codes in by_site.items():
            query = select(*(columns[name] for name in _INFO_COLUMNS)).join(
                Site, Site.id == columns.site_id
            )
            in_service = columns.retired_at.is_(None)  # a retired one's messages: dead letters
            found = session.execute(
                query.where(Site.code == site, columns.code.in_(sorted(codes)), in_service)
            )
            infos = list(map(_info, found))
            self._known.update({(site, info.code): info for info in infos})
            self._numbers.update(_number_metrics(session, [info.id for info in infos]))
        return {key: self._known[key] for key in wanted if key in self._known}

    def numbers(self, device_id: int) -> frozenset[str]:
        """The device's metrics that must be numbers: a meter's `reading_key` (site file)."""
        return self._numbers.get(device_id, frozenset())


def _number_metrics(session: Session, device_ids: list[int]) -> dict[int, frozenset[str]]:
    """Meters' reading keys by device: a bill is worked out from them, so text will not do."""
    if not device_ids:
        return {}
    query = select(Meter.device_id, Meter.reading_key).where(Meter.device_id.in_(device_ids))
    found: dict[int, set[str]] = {}
    for device_id, key in session.execute(query):
        found.setdefault(device_id, set()).add(key)
    return {i: frozenset(keys) for i, keys in found.items()}


def ingest(
    session: Session, message: ReceivedMessage, *, prefix: str, now: datetime
) -> IngestResult:
    """Store what `message` says, or dead-letter it; the result feeds the rules engine."""
    return ingest_batch(session, [message], prefix=prefix, now=now)[0]


def ingest_batch(
    session: Session,
    messages: Sequence[ReceivedMessage],
    *,
    prefix: str,
    now: datetime,
    devices: DeviceDirectory | None = None,
    ages: ReadingAges | None = None,
) -> list[IngestResult]:
    """`ingest` for many messages, in order: their devices are looked up and their presence
    updated in a few statements, and all their readings go in one COPY (replays skipped)."""
    ages = ages or ReadingAges.of(get_settings())
    parsed = [parse_message(prefix, m.topic, m.payload) for m in messages]
    directory = devices or DeviceDirectory()
    known = directory.find(session, {(p.site, p.device) for p in parsed if isinstance(p, Parsed)})
    heard = _heard(parsed, messages, known)
    presence = _Presence.read(session, heard, {d.id for d in known.values()}, now, directory)
    results: list[IngestResult | _Readings] = []
    for message, item in zip(messages, parsed, strict=True):
        info = known.get((item.site, item.device)) if isinstance(item, Parsed) else None
        if isinstance(item, Rejected):
            results.append(dead_letter(session, message, item.reason, now=now))
        elif info is None:
            reason = _unknown(session, item.site, item.device)
            results.append(dead_letter(session, message, reason, now=now))
        else:
            numbers = directory.numbers(info.id)
            results.append(
                _ingest_known(session, message, item, info, presence, now, numbers, ages)
            )
    presence.write(session, now, directory)
    waiting = [r for r in results if isinstance(r, _Readings)]
    stored = iter(_store(session, waiting, now))
    return [next(stored) if isinstance(r, _Readings) else r for r in results]


@dataclass(frozen=True)
class _Readings:
    """Telemetry checked and waiting for the batch's one insert."""

    info: DeviceInfo
    status: StatusChange | None
    values: tuple[Value, ...]


def _ingest_known(
    session: Session,
    message: ReceivedMessage,
    parsed: Parsed,
    info: DeviceInfo,
    presence: _Presence,
    now: datetime,
    numbers: frozenset[str],
    ages: ReadingAges,
) -> IngestResult | _Readings:
    body = parsed.body
    if isinstance(body, Status):
        status = presence.change(info.id, message, online=body.online, reported=True)
        return IngestResult(observation=Observation(info, status=status))
    status = presence.change(info.id, message, online=True, reported=False)  # it spoke
    untimely = _untrusted_time(body, now, ages)
    if untimely is not None:
        return dead_letter(
            session, message, untimely, now=now, observation=Observation(info, status=status)
        )
    if isinstance(body, Telemetry):
        wrong = _not_a_number(body, numbers)
        if wrong is not None:
            observation = Observation(info, status=status)
            return dead_letter(session, message, wrong, now=now, observation=observation)
        return _Readings(info, status, body.values)
    event, new, problem = _store_event(session, info, body, now)
    if problem is not None:
        return dead_letter(
            session, message, problem, now=now, observation=Observation(info, status=status)
        )
    return IngestResult(
        events=int(new),
        duplicates=int(not new),
        observation=Observation(info, (), (event,), status),
    )


def _heard(
    parsed: Sequence[Parsed | Rejected],
    messages: Sequence[ReceivedMessage],
    known: dict[tuple[str, str], DeviceInfo],
) -> set[int]:
    """Devices that spoke in this batch: a live message that is not a status `offline`."""
    heard = set()
    for message, item in zip(messages, parsed, strict=True):
        if not isinstance(item, Parsed) or message.retain:
            continue
        info = known.get((item.site, item.device))
        offline = isinstance(item.body, Status) and not item.body.online
        if info is not None and not offline:
            heard.add(info.id)
    return heard


class _Presence:
    """Who is online, message by message through a batch, then written in a few statements.

    Retained messages are old news: retained telemetry proves nothing, and only a status
    message (e.g. the last will's `offline`) changes presence.
    """

    def __init__(self, online: dict[int, bool | None]) -> None:
        self._stored = dict(online)
        self._online = online
        self._changes: list[tuple[int, bool, str]] = []

    @classmethod
    def read(
        cls,
        session: Session,
        heard: set[int],
        devices: set[int],
        now: datetime,
        directory: DeviceDirectory,
    ) -> _Presence:
        """Mark the heard devices seen `now` (held in `directory` if written within
        `SEEN_EVERY`), and read every batch device's presence."""
        online = directory.written_since(now - SEEN_EVERY, heard)
        directory.hold(now, online.keys())
        stale = heard - online.keys()
        if stale:
            seen = update(_DEVICES).where(among(session, _DEVICES.c.id, stale))
            returning = seen.values(last_seen_at=now).returning(_DEVICES.c.id, _DEVICES.c.online)
            written = {i: v for i, v in session.execute(returning)}
            directory.wrote(now, written)
            online.update(written)
        rest = sorted(devices - online.keys())
        if rest:
            query = select(_DEVICES.c.id, _DEVICES.c.online).where(
                among(session, _DEVICES.c.id, rest)
            )
            online.update((i, v) for i, v in session.execute(query))
        return cls(online)

    def change(
        self, device_id: int, message: ReceivedMessage, *, online: bool, reported: bool
    ) -> StatusChange | None:
        """The device's presence after `message`."""
        if message.retain and not reported:
            return None
        was = self._online.get(device_id)
        if was is not online:
            self._online[device_id] = online
            self._changes.append((device_id, online, "status" if reported else "traffic"))
        return StatusChange(online=online, was_online=was, reported=reported)

    def write(self, session: Session, now: datetime, directory: DeviceDirectory) -> None:
        """Store the new presence of devices that changed, with a status event per change."""
        if not self._changes:
            return
        directory.wrote(None, {i: self._online[i] for i, _, _ in self._changes})
        for value in (True, False):
            ids = [
                i
                for i, v in self._online.items()
                if v is value and self._stored.get(i) is not value
            ]
            if ids:
                to = update(_DEVICES).where(among(session, _DEVICES.c.id, ids)).values(online=value)
                session.execute(to)
        rows = [_status_event(i, online, cause, now) for i, online, cause in self._changes]
        session.execute(insert(DeviceEvent), rows)
        presence_changed(session, {i: online for i, online, _ in self._changes}, now=now)


def _status_event(device_id: int, online: bool, cause: str, now: datetime) -> dict[str, object]:
    status = "online" if online else "offline"
    return {
        "device_id": device_id,
        "kind": "status",
        "ts": now,
        "data": {"status": status, "cause": cause},
        "received_at": now,
    }


def dead_letter(
    session: Session,
    message: ReceivedMessage,
    reason: str,
    *,
    now: datetime,
    observation: Observation | None = None,
) -> IngestResult:
    """Keep the message's first bytes, size and digest with why it could not be used."""
    topic = storable(message.topic)[:512]
    payload, reason = message.payload, storable(reason)
    letter = DeadLetter(
        received_at=now,
        topic=topic,
        payload=payload[:DEAD_LETTER_KEEP],
        size=len(payload),
        sha256=hashlib.sha256(payload).hexdigest(),
        reason=reason,
    )
    session.add(letter)
    log.info("dead letter from %s: %s", topic, reason)
    return IngestResult(dead_letter=reason, observation=observation)


def dead_letter_count(session: Session) -> int:
    return session.scalar(select(func.count(DeadLetter.id))) or 0


def device_info(device: Device) -> DeviceInfo:
    return DeviceInfo(*(getattr(device, name) for name in _INFO_COLUMNS))


def _info(row: Sequence[Any]) -> DeviceInfo:
    """A device's facts from a row of its `_INFO_COLUMNS`, the one mapping both ways use."""
    return DeviceInfo(*row)


def presences(
    session: Session,
    kinds: Iterable[DeviceKind],
    *,
    now: datetime | None = None,
    listening_since: datetime | None = None,
    shortest_silence: Callable[[int], float] | None = None,
) -> list[Presence]:
    """Devices of `kinds` with when they last spoke, for the silence timer.

    Given all three keywords, only those quiet for at least `shortest_silence(heartbeat_s)`
    seconds, counted from when they last spoke or from `listening_since` if later (what the hub
    did not hear says nothing): the others cannot be due, and the timer runs every few seconds.
    """
    columns = _DEVICES.c
    watched = columns.kind.in_(list(kinds)) & columns.retired_at.is_(None)
    query = select(
        *(columns[name] for name in _INFO_COLUMNS), columns.last_seen_at, columns.online
    ).where(watched)
    if now is None or listening_since is None or shortest_silence is None:
        rows = session.execute(query.order_by(columns.id))
        return [Presence(_info(info), seen, online) for *info, seen, online in rows]
    least = session.scalar(select(func.min(columns.heartbeat_s)).where(watched))
    floor = shortest_silence(least) if least is not None else float("inf")
    if floor == float("inf") or (now - listening_since).total_seconds() < floor:
        return []  # not listening long enough for any device to be due
    quiet_since = now - timedelta(seconds=floor)
    query = query.where(columns.last_seen_at.is_(None) | (columns.last_seen_at <= quiet_since))
    found = []
    for *info, last_seen, online in session.execute(query.order_by(columns.id)):
        heard = listening_since if last_seen is None else max(last_seen, listening_since)
        if (now - heard).total_seconds() < shortest_silence(info[_HEARTBEAT]):
            continue
        found.append(Presence(_info(info), last_seen, online))
    return found


def mark_silent(session: Session, device_ids: Iterable[int], *, now: datetime) -> None:
    """Record that these devices went quiet past their limit (an offline rule fired)."""
    gone = {}
    for device_id in sorted(set(device_ids)):
        device = session.get(Device, device_id)
        if device is not None and device.online is not False:
            device.online = False
            session.execute(insert(DeviceEvent), [_status_event(device_id, False, "silence", now)])
            gone[device_id] = False
    presence_changed(session, gone, now=now)


def _unknown(session: Session, site: str, code: str) -> str:
    """Why a message names no device in service: no such estate or device, or a retired one."""
    site_id = session.scalar(select(Site.id).where(Site.code == site))
    if site_id is None:
        return f"unknown site {site!r}"
    columns = _DEVICES.c
    retired = session.scalar(
        select(columns.retired_at).where(columns.site_id == site_id, columns.code == code)
    )
    if retired is not None:
        return f"device {code!r} at site {site!r} is retired (since {retired:%Y-%m-%d %H:%M} UTC)"
    return f"unknown device {code!r} at site {site!r}"


def _untrusted_time(body: Telemetry | Event, now: datetime, ages: ReadingAges) -> str | None:
    """Why the device's own times cannot be believed: too far ahead, or too old (docs/ingest.md)."""
    given = [v.ts for v in body.values] if isinstance(body, Telemetry) else [body.ts]
    stamps = [ts for ts in given if ts is not None]
    if not stamps:
        return None
    latest = max(stamps)
    if latest > now + MAX_AHEAD:
        ahead = f"more than {MAX_AHEAD} ahead of the hub clock ({now.isoformat()})"
        return f"ts {latest.isoformat()} is {ahead}"
    replay = isinstance(body, Telemetry) and body.replayed
    limit, setting = (
        (ages.replay_max_age, "HUB_READING_REPLAY_MAX_AGE for a replay")
        if replay
        else (ages.max_age, "HUB_READING_MAX_AGE")
    )
    oldest = min(stamps)
    if oldest < now - limit:
        behind = f"more than {limit} behind the hub clock ({now.isoformat()})"
        return f"ts {oldest.isoformat()} is {behind}: too old to trust ({setting})"
    return None


def _not_a_number(body: Telemetry, numbers: frozenset[str]) -> str | None:
    """Why a value the site file declares a number (a meter's total) is not one, if it is not."""
    for value in body.values:
        if value.number is None and value.metric in numbers:
            return (
                f"telemetry.{value.metric} = {value.text!r} is text: a meter's {value.metric} "
                "must be a JSON number, e.g. 1234.56"
            )
    return None


def _store(session: Session, waiting: list[_Readings], now: datetime) -> list[IngestResult]:
    """One COPY for the whole batch; each message's facts carry every reading's id. New readings
    of a month already billed are flagged for finance (hub/services/late_readings.py)."""
    rows = [
        (w.info.id, v.metric, v.ts or now, v.number, v.text, now) for w in waiting for v in w.values
    ]
    stored = iter(store_readings(session, rows, source="mqtt"))
    results = []
    new_rows: list[StoredReading] = []  # for the late-reading check of billed months
    for message in waiting:
        facts, fresh = [], 0
        for value in message.values:
            row_id, new = next(stored)
            facts.append(
                ReadingFact(row_id, value.metric, value.ts or now, value.number, value.text)
            )
            fresh += new
            if new and row_id is not None:
                new_rows.append((row_id, message.info.id, value.metric, value.ts or now))
        observation = Observation(message.info, readings=tuple(facts), status=message.status)
        results.append(IngestResult(fresh, len(facts) - fresh, observation=observation))
    flag_late_readings(session, new_rows, now=now)
    return results


def _store_event(
    session: Session, device: DeviceInfo, body: Event, now: datetime
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
    session: Session, device: DeviceInfo, body: Event, ts: datetime, now: datetime
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
