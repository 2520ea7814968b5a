"""Readings in bulk: the hub's hottest write, one COPY (or one statement) per batch.

PostgreSQL takes a batch by `COPY` straight into `readings`, with the ids reserved from the
table's sequence first, so the rules engine knows every reading's id without rows coming back.
A replayed reading (a redelivery after a crash) breaks the COPY on the unique (device, metric,
ts) key; only then does the batch go again as `INSERT ... ON CONFLICT DO NOTHING`, which skips
what is stored. SQLite always takes the INSERT.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import psycopg
from sqlalchemy import Table, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hub.errors import ConfigError
from hub.storage.bulk import NULL, copy_text
from hub.storage.models import Reading

# device id, metric, ts, value, text, received at
NewReading = tuple[int, str, datetime, Decimal | None, str | None, datetime]
Stored = tuple[int | None, bool]  # the reading's id, and whether this row stored it

_TABLE = Reading.__table__
assert isinstance(_TABLE, Table)
_COLUMNS = ("device_id", "metric", "ts", "value", "text", "received_at", "source")
_COPY = f"COPY readings (id, {', '.join(_COLUMNS)}) FROM STDIN"
# One row, one array. The sequence is named as a constant (PostgreSQL's name for a SERIAL column):
# pg_get_serial_sequence() in the statement ran once per id, 35 ms a batch instead of 5.
_RESERVE = text("SELECT array_agg(nextval('readings_id_seq')) FROM generate_series(1, :n)")
_INSERTS = {
    name: insert(_TABLE)
    .on_conflict_do_nothing(index_elements=["device_id", "metric", "ts"])
    .returning(_TABLE.c.id, _TABLE.c.device_id, _TABLE.c.metric, _TABLE.c.ts)
    for name, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def store_readings(session: Session, rows: Sequence[NewReading], *, source: str) -> list[Stored]:
    """Store `rows`, skipping those already stored; one `Stored` per row, in order.

    A reading counts as stored by the first row that carries it: a second copy in the same
    batch, or a row stored by an earlier batch, is `(its id, False)`.
    """
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    if dialect not in _INSERTS:
        raise ConfigError(f"readings need SQLite or PostgreSQL, not {dialect}")
    if dialect == "postgresql" and len({row[:3] for row in rows}) == len(rows):
        ids = _copy(session, rows, source)
        if ids is not None:
            return [(row_id, True) for row_id in ids]
    return _insert(session, rows, source)


def _copy(session: Session, rows: Sequence[NewReading], source: str) -> list[int] | None:
    """The fast path; None when some reading is stored already (nothing of the COPY stays)."""
    ids: list[int] = session.execute(_RESERVE, {"n": len(rows)}).scalar_one()
    texts: dict[object, str] = {None: NULL}  # a batch repeats its metrics and times: word once
    for _, metric, ts, _, note, received_at in rows:
        for item in (metric, note):
            if item not in texts:
                texts[item] = copy_text(item)  # type: ignore[arg-type]  # None is in already
        for moment in (ts, received_at):
            if moment not in texts:
                texts[moment] = moment.isoformat()
    tail = f"\t{copy_text(source)}\n"
    lines = [
        f"{row_id}\t{device_id}\t{texts[metric]}\t{texts[ts]}\t"
        f"{NULL if value is None else value}\t{texts[note]}\t{texts[received_at]}{tail}"
        for row_id, (device_id, metric, ts, value, note, received_at) in zip(ids, rows, strict=True)
    ]
    try:
        with session.begin_nested():
            cursor: Any = session.connection().connection.cursor()
            with cursor.copy(_COPY) as copy:
                copy.write("".join(lines))  # one buffer: psycopg's write_row is 10 µs a row
    except psycopg.errors.UniqueViolation:
        return None
    return ids


def _insert(session: Session, rows: Sequence[NewReading], source: str) -> list[Stored]:
    values = [dict(zip(_COLUMNS, (*row, source), strict=True)) for row in rows]
    inserted = session.execute(_INSERTS[session.get_bind().dialect.name], values)
    ids = {(device_id, metric, ts): row_id for row_id, device_id, metric, ts in inserted}
    new = set(ids)
    ids.update(_earlier(session, {row[:3] for row in rows} - new))
    result: list[Stored] = []
    for row in rows:
        key = row[:3]
        result.append((ids.get(key), key in new))
        new.discard(key)
    return result


def _earlier(
    session: Session, keys: set[tuple[int, str, datetime]]
) -> dict[tuple[int, str, datetime], int]:
    """Ids of readings stored before (a replay), by (device id, metric, ts)."""
    found: dict[tuple[int, str, datetime], int] = {}
    ordered = sorted(keys)
    key = tuple_(Reading.device_id, Reading.metric, Reading.ts)
    for i in range(0, len(ordered), 300):
        query = select(Reading.id, Reading.device_id, Reading.metric, Reading.ts).where(
            key.in_(ordered[i : i + 300])
        )
        found.update({(d, m, ts): row_id for row_id, d, m, ts in session.execute(query)})
    return found
