"""Live-feed events without a server: the NOTIFY payload and channel, the relay's connection
string, and the in-process path SQLite keeps (PostgreSQL: tests/api/test_live_postgres.py)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from psycopg.conninfo import conninfo_to_dict

from hub import events
from hub.event_notify import TRIMMED, channel_for, encode
from hub.event_relay import APPLICATION_NAME, libpq_conninfo
from hub.storage.db import Database


def _size(payload: str) -> int:
    return len(payload.encode())


def test_a_payload_that_fits_is_the_event_as_json() -> None:
    data = {"id": 7, "title": "漏水 Leak", "raised_at": "2026-11-10T02:00:00+00:00"}
    assert json.loads(encode("alert.raised", data)) == {"kind": "alert.raised", "data": data}


def test_the_largest_string_is_shortened_to_fit_and_named() -> None:
    data = {"id": 7, "state": "active_unacknowledged", "title": "漏水", "reason": "水" * 500}
    payload = encode("alert.raised", data, limit=400)
    assert 400 - 3 < _size(payload) <= 400  # as much kept as fits (one character is 3 bytes)
    sent = json.loads(payload)["data"]
    assert sent[TRIMMED] == ["reason"]
    assert sent["reason"].endswith("…") and set(sent["reason"][:-1]) == {"水"}
    assert {k: sent[k] for k in ("id", "state", "title")} == {
        "id": 7,
        "state": "active_unacknowledged",
        "title": "漏水",
    }


def test_several_fields_go_largest_first_and_non_strings_become_null() -> None:
    data = {"id": 1, "readings": list(range(300)), "description": "x" * 900, "note": "y" * 100}
    payload = encode("work_order.opened", data, limit=300)
    sent = json.loads(payload)["data"]
    assert _size(payload) <= 300
    assert sent[TRIMMED] == ["readings", "description"]
    assert sent["readings"] is None and sent["description"].startswith("x")
    assert sent["note"] == "y" * 100 and sent["id"] == 1


def test_an_event_that_cannot_fit_at_all_says_so() -> None:
    payload = encode("x.huge", {f"key-{i}": i for i in range(100)}, limit=120)
    assert json.loads(payload) == {"kind": "x.huge", "data": {TRIMMED: ["*"]}}


def test_channels_follow_the_schema_and_stay_within_postgresql_names() -> None:
    assert channel_for("public") == "estate_hub_events.public"
    long_a, long_b = "a" * 63, "a" * 62 + "b"
    assert channel_for(long_a) != channel_for(long_b)
    assert all(len(channel_for(s).encode()) <= 63 for s in (long_a, long_b, "楼" * 21))


def test_the_relay_connects_with_the_engines_parameters() -> None:
    engine = sa.create_engine(
        "postgresql+psycopg://hub:p%40ss%20w@db.example:6543/estate"
        "?options=-csearch_path%3Dgreen%20-cstatement_timeout%3D5s&sslmode=require"
    )
    params = conninfo_to_dict(libpq_conninfo(engine))
    assert params == {
        "host": "db.example",
        "port": "6543",
        "dbname": "estate",
        "user": "hub",
        "password": "p@ss w",
        "options": "-csearch_path=green -cstatement_timeout=5s",
        "sslmode": "require",
        "application_name": APPLICATION_NAME,
        "connect_timeout": "10",
    }
    named = sa.create_engine("postgresql+psycopg://hub@db/estate?application_name=console")
    assert conninfo_to_dict(libpq_conninfo(named))["application_name"] == "console"


async def test_sqlite_publishes_in_process_after_commit_and_nothing_on_rollback(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'events.db'}")
    feed = events.bus.subscribe()
    try:
        with database.session() as session:
            events.emit(session, "x.committed", {"n": 1})
            await asyncio.sleep(0.05)
            assert feed.queue.empty()  # not before the commit
        with pytest.raises(RuntimeError), database.session() as session:
            events.emit(session, "x.rolled_back", {"n": 2})
            raise RuntimeError
        item = await asyncio.wait_for(feed.queue.get(), 5)
        assert (item.kind, item.data) == ("x.committed", {"n": 1})
        await asyncio.sleep(0.05)
        assert feed.queue.empty()
    finally:
        feed.close()
        database.dispose()
