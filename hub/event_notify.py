"""Live-feed events on PostgreSQL's NOTIFY: the channel name and the payload format.

Both ends meet here: `hub/events.py` sends committed events with `pg_notify` inside the
transaction, `hub/event_relay.py` LISTENs and re-publishes them. NOTIFY channels are
database-wide, so the channel carries the hub's schema: two hubs (or two test schemas) on one
database never see each other's events.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "estate_hub_events"
# PostgreSQL refuses a payload of 8000 bytes or more (NOTIFY_PAYLOAD_MAX_LENGTH, default BLCKSZ).
MAX_PAYLOAD_BYTES = 7999
TRIMMED = "trimmed"  # key added to `data` naming the fields shortened or dropped to fit
_NAME_MAX_BYTES = 63  # NAMEDATALEN - 1: a longer channel name is an error in pg_notify
_CHANNEL_KEY = "estate_hub_events_channel"

_NOTIFY = text("SELECT pg_notify(:channel, payload) FROM unnest(CAST(:payloads AS text[])) payload")


def channel_for(schema: str) -> str:
    """The channel of the hub whose tables live in `schema` (a hash if the name is too long)."""
    name = f"{CHANNEL_PREFIX}.{schema}"
    if len(name.encode()) <= _NAME_MAX_BYTES:
        return name
    return f"{CHANNEL_PREFIX}.{hashlib.sha256(schema.encode()).hexdigest()[:32]}"


def channel_of(connection: Connection) -> str:
    """This connection's channel, from its `current_schema()` (asked once per DB connection)."""
    channel = connection.info.get(_CHANNEL_KEY)
    if channel is None:
        schema = connection.scalar(text("SELECT current_schema()")) or ""
        channel = connection.info[_CHANNEL_KEY] = channel_for(schema)
    return str(channel)


def notify(connection: Connection, events: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Queue `(kind, data)` events as NOTIFYs of the current transaction (one round trip).

    PostgreSQL delivers them only if the transaction commits. Identical payloads within one
    transaction are delivered once (PostgreSQL folds them); the feed carries state, so a repeat
    adds nothing.
    """
    payloads = [encode(kind, data) for kind, data in events]
    connection.execute(_NOTIFY, {"channel": channel_of(connection), "payloads": payloads})


def encode(kind: str, data: dict[str, Any], limit: int = MAX_PAYLOAD_BYTES) -> str:
    """The payload `{"kind", "data"}`, trimmed to `limit` bytes rather than failing the commit.

    The largest fields go first: a string keeps as much of its start as fits (ending in "…"),
    anything else becomes null, and `data["trimmed"]` names them, so a console still gets the
    id and state and can fetch the full object over REST.
    """
    payload = _dumps(kind, data)
    if _size(payload) <= limit:
        return payload
    shortened = dict(data)
    names: list[str] = []
    shortened[TRIMMED] = names
    for name in sorted(data, key=lambda key: _size(_dumps("", data[key])), reverse=True):
        value = data[name]
        names.append(name)
        shortened[name] = "" if isinstance(value, str) else None
        if _size(_dumps(kind, shortened)) <= limit:
            if isinstance(value, str):
                shortened[name] = _longest_prefix(kind, shortened, name, value, limit)
            log.warning(
                "live event %s (id %s) is %d bytes, over PostgreSQL's NOTIFY limit: trimmed %s",
                kind,
                data.get("id"),
                _size(payload),
                ", ".join(names),
            )
            return _dumps(kind, shortened)
    log.warning("live event %s cannot fit a NOTIFY even without its data: sent empty", kind)
    return _dumps(kind[:200], {TRIMMED: ["*"]})


def _longest_prefix(kind: str, data: dict[str, Any], name: str, value: str, limit: int) -> str:
    """The longest `value[:n] + "…"` with which the payload still fits (binary search)."""
    low, high = 0, len(value)  # value[:low] fits (the empty string was checked), value fits not
    while high - low > 1:
        middle = (low + high) // 2
        data[name] = value[:middle] + "…"
        if _size(_dumps(kind, data)) <= limit:
            low = middle
        else:
            high = middle
    return value[:low] + "…" if low else ""


def _dumps(kind: str, data: Any) -> str:
    return json.dumps({"kind": kind, "data": data}, ensure_ascii=False, default=str)


def _size(payload: str) -> int:
    return len(payload.encode())
