"""MQTT payloads against the device contract: the pure half of ingest (docs/ingest.md).

`parse_message` turns a topic and raw bytes into `Parsed` telemetry, an event or a status, or a
`Rejected` with the reason a dead letter keeps. It never raises, whatever the bytes. JSON is
decoded by msgspec with numbers kept exact as `Decimal` (a meter's 12345.678 stays 12345.678);
only a payload it refuses goes through the standard library again, for a readable reason.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

import msgspec

from adapters.mqtt.topics import Channel, parse_topic

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 64 * 1024
MAX_KEY_CHARS = 64
MAX_TEXT_CHARS = 200
MAX_DATA_DEPTH = 16


class _Bad(Exception):
    """A payload that breaks the contract; the message is the dead letter's reason."""


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EARLIEST_MS = int((datetime(2000, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds() * 1000)
_LATEST_MS = int((datetime(2100, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds() * 1000)
_VALUE_LIMIT = Decimal(10) ** 14  # the readings column holds 14 digits before the point
_STEP = Decimal("0.000001")  # ... and 6 after it


def _number(text: str) -> Decimal:
    """A JSON number as an exact `Decimal`; one whose exponent not even Decimal holds is refused."""
    try:
        return Decimal(text)
    except ArithmeticError:  # decimal.InvalidOperation: 1e999999999999999999999
        raise _Bad(f"number {text[:40]} is out of range (|value| < 10^14)") from None


_DECODER = msgspec.json.Decoder(float_hook=_number)


class Value(NamedTuple):  # a tuple, not a dataclass: made for every reading, so made cheaply
    """One telemetry value; `ts` None means "when the hub received it"."""

    metric: str
    ts: datetime | None
    number: Decimal | None  # booleans are 1/0
    text: str | None


@dataclass(frozen=True)
class Telemetry:
    values: tuple[Value, ...]
    replayed: bool = False  # every entry says "replayed": true (an edge gateway's buffer)


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


def storable(text: str) -> str:
    """`text` as the database takes it: a NUL or a lone surrogate (from a device's own bytes,
    quoted in a reason or a topic) written as an escape instead of failing the insert."""
    if text.isascii() and "\x00" not in text:
        return text
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def parse_message(prefix: str, topic: str, payload: bytes) -> Parsed | Rejected:
    """Check topic and payload against the contract; never raises, whatever the bytes."""
    result = _parse(prefix, topic, payload)
    return Rejected(storable(result.reason)) if isinstance(result, Rejected) else result


def _parse(prefix: str, topic: str, payload: bytes) -> Parsed | Rejected:
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
    except Exception as exc:  # a parser bug must cost one dead letter, never its whole batch
        log.exception("payload parser failed on a message from %r", topic[:200])
        return Rejected(
            f"payload broke the parser ({type(exc).__name__}): report it with the payload"
        )
    return Parsed(where.site, where.device, where.channel, body)


def _json(payload: bytes) -> Any:
    try:
        return _DECODER.decode(payload)
    except msgspec.DecodeError:
        pass  # refused: the standard library says why in words a device's installer can use
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Bad(f"payload is not UTF-8 text (bad byte at {exc.start})") from None
    try:
        return json.loads(text, parse_float=_number, parse_constant=_no_constant)
    except ValueError as exc:
        raise _Bad(f"payload is not JSON: {exc}") from None


def _no_constant(name: str) -> Any:
    raise _Bad(f"payload has {name}, which is not a number")


def _telemetry(data: Any) -> Telemetry:
    entries = data if isinstance(data, list) else [data]
    if not entries:
        raise _Bad("telemetry is an empty list")
    values: list[Value] = []
    seen: set[tuple[str, datetime | None]] = set()  # only a list can name a metric twice
    replayed = True
    for index, entry in enumerate(entries):
        at = f"telemetry[{index}]" if isinstance(data, list) else "telemetry"
        if not isinstance(entry, dict):
            raise _Bad(f'{at} must be an object: {{values}} or {{"ts": ms, "values": {{...}}}}')
        ts, fields = _timestamped(entry, at)
        replayed = replayed and _replayed(entry, at)
        if not fields:
            raise _Bad(f"{at} has no values")
        for metric, raw in fields.items():
            if index and (metric, ts) in seen:
                raise _Bad(f"{at}: {metric!r} appears twice for the same time")
            values.append(_value(metric, raw, ts, at))
        if len(entries) > 1:
            seen.update((metric, ts) for metric in fields)
    return Telemetry(tuple(values), replayed)


def _timestamped(entry: dict[str, Any], at: str) -> tuple[datetime | None, dict[str, Any]]:
    """`{"ts": ms, "values": {...}}` (ThingsBoard), or a bare object of values."""
    if "values" not in entry:
        return None, entry
    extra = sorted(set(entry) - {"ts", "values", "replayed"}) if len(entry) > 2 else []
    if extra:
        raise _Bad(
            f"{at} has values and also {', '.join(extra)}: only ts and values (and replayed) "
            "may be given"
        )
    if "ts" not in entry:
        raise _Bad(f"{at} has values but no ts")
    if not isinstance(entry["values"], dict):
        raise _Bad(f"{at}.values must be an object of name: value")
    return _ts(entry["ts"], at), entry["values"]


def _replayed(entry: dict[str, Any], at: str) -> bool:
    """An edge gateway's mark on what it held back; only with ts and values (docs/topics.md)."""
    mark = entry.get("replayed", False) if "values" in entry else False
    if not isinstance(mark, bool):
        raise _Bad(f"{at}.replayed must be true or false")
    return mark


def _ts(raw: Any, at: str) -> datetime:
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
        raise _Bad(f"{at}.ts must be epoch milliseconds (a number), got {type(raw).__name__}")
    if not _EARLIEST_MS <= raw < _LATEST_MS:
        raise _Bad(f"{at}.ts {raw} is out of range: epoch milliseconds from 2000 to 2100")
    if isinstance(raw, int):
        return _EPOCH + timedelta(milliseconds=raw)
    return _EPOCH + timedelta(microseconds=int(raw * 1000))


def _key(name: str, at: str) -> str:
    if not 1 <= len(name) <= MAX_KEY_CHARS or "\x00" in name:
        raise _Bad(f"{at}: name {name[:80]!r} must be 1 to {MAX_KEY_CHARS} characters")
    return _unicode(name, at)


def _unicode(text: str, at: str) -> str:
    """Text the database can store: JSON's `\\ud800` escape decodes to a lone surrogate, which
    has no UTF-8 form and would fail the batch's insert."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _Bad(
                f"{at}: text has a lone surrogate {text[exc.start]!r}, not Unicode"
            ) from None
    return text


def _rounded(number: Decimal) -> Decimal | None:
    """`number` at the column's 6 decimals, or None unless |it| < 10^14 then (99999999999999.9999999
    is not); a huge exponent is refused before any arithmetic, which would overflow."""
    if not number.is_finite() or (number.adjusted() >= 14 and not number.is_zero()):
        return None
    rounded = number.quantize(_STEP)
    return rounded if rounded.copy_abs() < _VALUE_LIMIT else None


def _value(metric: str, raw: Any, ts: datetime | None, at: str) -> Value:
    _key(metric, at)
    if isinstance(raw, bool):
        return Value(metric, ts, Decimal(int(raw)), None)
    if isinstance(raw, int | Decimal):
        number = _rounded(Decimal(raw))
        if number is None:
            raise _Bad(f"{at}.{metric} = {str(raw)[:40]} is out of range (|value| < 10^14)")
        return Value(metric, ts, number, None)
    if isinstance(raw, str):
        if len(raw) > MAX_TEXT_CHARS or "\x00" in raw:
            raise _Bad(f"{at}.{metric}: text longer than {MAX_TEXT_CHARS} characters (or with NUL)")
        return Value(metric, ts, None, _unicode(raw, f"{at}.{metric}"))
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
        if _rounded(item) is None:
            raise _Bad(f"event.data has an out-of-range number {str(item)[:40]}")
        return int(item) if item == item.to_integral_value() else float(item)
    if isinstance(item, str):
        if "\x00" in item:
            raise _Bad("event.data has text with a NUL character")
        return _unicode(item, "event.data")
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
