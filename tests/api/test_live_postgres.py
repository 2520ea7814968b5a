"""The live feed across processes: PostgreSQL NOTIFY carries committed events to every API process.

These run on real PostgreSQL even when the rest of the suite runs on SQLite (see
`postgres_schemas`): every test here gets its own schema, so its own channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from psycopg.conninfo import conninfo_to_dict
from starlette.testclient import WebSocketTestSession

from hub import event_notify, events
from hub.context import HubContext
from hub.domain import Severity
from hub.event_relay import APPLICATION_NAME, EventRelay, libpq_conninfo, relaying
from hub.services.alerts import AlertRequest, raise_alert
from hub.services.site import LoadResult
from hub.settings import Settings
from hub.storage.db import Database
from hub.storage.models import Alert
from tests.api.conftest import RaiseAlert, live_feed, next_of, receive
from tests.conftest import ApiClient

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
def database_url(postgres_schemas: Callable[[], str]) -> str:
    """Every fixture of this module (context, site, api) works on a PostgreSQL schema."""
    return postgres_schemas()


@pytest.fixture
def other(settings: Settings) -> Iterator[Database]:
    """A second Database on the same schema: another process, as PostgreSQL sees it."""
    database = Database(settings.resolved_database_url())
    yield database
    database.dispose()


def _raise(db: Database, site: LoadResult, key: str, reason: str = "leak sensor reads wet") -> int:
    with db.session() as session:
        alert, _ = raise_alert(session, _request(site, key, reason), now=NOW)
        return alert.id


def _request(site: LoadResult, key: str, reason: str) -> AlertRequest:
    return AlertRequest(
        site_id=site.site_id,
        rule_id="leak",
        dedup_key=key,
        severity=Severity.CRITICAL,
        title="漏水 Leak",
        reason=reason,
        location="1号楼101厨房 B1-101 kitchen",
    )


def _console(api: ApiClient) -> contextlib.AbstractContextManager[WebSocketTestSession]:
    return live_feed(api, api.token("operator"))


def test_the_app_listens_on_its_schemas_channel(api: ApiClient, context: HubContext) -> None:
    relay = api.client.app.state.event_relay  # type: ignore[attr-defined]
    assert isinstance(relay, EventRelay) and relay.ready.is_set()
    schema = context.settings.resolved_database_url().rsplit("%3D", 1)[1]
    assert relay.channel == f"estate_hub_events.{schema}"
    assert conninfo_to_dict(libpq_conninfo(context.db.engine))["options"] == (
        f"-csearch_path={schema}"
    )


def test_an_alert_committed_through_another_database_reaches_the_console(
    api: ApiClient, other: Database, site: LoadResult
) -> None:
    """One process here, so PostgreSQL must be the way it came: the relay counts it."""
    relay = api.client.app.state.event_relay  # type: ignore[attr-defined]
    with _console(api) as ws:
        assert receive(ws)["kind"] == "snapshot"
        relayed = relay.relayed
        alert_id = _raise(other, site, "leak-b1-101/leak")
        raised = next_of(ws, "alert.raised", alert_id)
    assert relay.relayed == relayed + 1
    assert (raised["title"], raised["state"]) == ("漏水 Leak", "active_unacknowledged")
    assert datetime.fromisoformat(raised["raised_at"]) == NOW


RAISE_IN_ANOTHER_PROCESS = """
import sys
from datetime import UTC, datetime
from hub.context import HubContext
from hub.domain import Severity
from hub.services.alerts import AlertRequest, raise_alert
from hub.settings import get_settings

context = HubContext.from_settings(get_settings())
with context.db.session() as session:
    alert, _ = raise_alert(session, AlertRequest(
        site_id=int(sys.argv[1]), rule_id="smoke", dedup_key="smoke-b2-hall/smoke",
        severity=Severity.MAJOR, title="烟感 Smoke", reason="from a worker process",
    ), now=datetime.now(UTC))
print(alert.id)
"""


def test_an_alert_raised_by_another_process_reaches_the_console(
    api: ApiClient, site: LoadResult
) -> None:
    """A real second process (a hub worker, as far as the database can tell)."""
    with _console(api) as ws:
        assert receive(ws)["kind"] == "snapshot"
        done = subprocess.run(
            [sys.executable, "-c", RAISE_IN_ANOTHER_PROCESS, str(site.site_id)],
            cwd=ROOT,
            env=os.environ.copy(),  # HUB_DATABASE_URL and the keys, set by the fixtures
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        raised = next_of(ws, "alert.raised", int(done.stdout.strip()))
    assert (raised["title"], raised["reason"]) == ("烟感 Smoke", "from a worker process")


def test_an_event_arrives_once_in_the_process_that_committed_it(
    api: ApiClient, raise_leak: RaiseAlert
) -> None:
    """Through the relay only: the after-commit local path stays silent on PostgreSQL."""
    with _console(api) as ws:
        assert receive(ws)["kind"] == "snapshot"
        first = raise_leak()
        second = raise_leak("smoke-b2-hall/smoke", title="烟感 Smoke")
        messages = [receive(ws), receive(ws)]
        assert [(m["kind"], m["data"]["id"]) for m in messages] == [
            ("alert.raised", first["id"]),
            ("alert.raised", second["id"]),
        ]
        with pytest.raises(TimeoutError):
            receive(ws, timeout=0.5)


def test_a_rolled_back_transaction_or_savepoint_delivers_nothing(
    api: ApiClient, other: Database, site: LoadResult
) -> None:
    with _console(api) as ws:
        assert receive(ws)["kind"] == "snapshot"
        with pytest.raises(RuntimeError), other.session() as session:
            raise_alert(session, _request(site, "rolled-back/leak", "never"), now=NOW)
            raise RuntimeError("the batch fails after raising the alert")
        with other.session() as session:
            kept, _ = raise_alert(session, _request(site, "kept/leak", "kept"), now=NOW)
            with pytest.raises(RuntimeError), session.begin_nested():
                raise_alert(session, _request(site, "savepoint/leak", "undone"), now=NOW)
                raise RuntimeError("one message of the batch is refused")
            with session.begin_nested():
                after, _ = raise_alert(session, _request(site, "after/leak", "kept"), now=NOW)
        # Notifications arrive in commit order: whatever was rolled back would come first.
        messages = [receive(ws), receive(ws)]
        assert [(m["kind"], m["data"]["id"]) for m in messages] == [
            ("alert.raised", kept.id),
            ("alert.raised", after.id),
        ]
        with pytest.raises(TimeoutError):
            receive(ws, timeout=0.5)
    with other.session() as session:
        stored = session.scalars(sa.select(Alert.dedup_key).order_by(Alert.id)).all()
    assert stored == ["kept/leak", "after/leak"]


def test_an_event_too_large_for_notify_arrives_trimmed_and_the_commit_stands(
    api: ApiClient, other: Database, site: LoadResult, caplog: pytest.LogCaptureFixture
) -> None:
    reason = "厨房漏水，水已漫到走廊。" * 800  # 9,600 characters, 28,800 bytes of UTF-8
    with _console(api) as ws, caplog.at_level(logging.WARNING, "hub.event_notify"):
        assert receive(ws)["kind"] == "snapshot"
        alert_id = _raise(other, site, "leak-b1-101/leak", reason)
        raised = next_of(ws, "alert.raised", alert_id)
    assert raised["trimmed"] == ["reason"]
    assert raised["reason"].endswith("…") and reason.startswith(raised["reason"][:-1])
    sent = json.dumps({"kind": "alert.raised", "data": raised}, ensure_ascii=False).encode()
    assert event_notify.MAX_PAYLOAD_BYTES - 8 < len(sent) <= event_notify.MAX_PAYLOAD_BYTES
    assert (raised["state"], raised["title"]) == ("active_unacknowledged", "漏水 Leak")
    with other.session() as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None and alert.reason == reason  # only the notification is trimmed
    assert "over PostgreSQL's NOTIFY limit: trimmed reason" in caplog.text


def test_an_event_of_exactly_the_limit_arrives_whole(api: ApiClient, other: Database) -> None:
    """The limit is PostgreSQL's own: one byte more would have failed the transaction.

    An alert kind, which the operator may see (a kind with no visibility rule reaches nobody).
    """
    data: dict[str, object] = {"id": 1, "text": ""}
    data["text"] = "x" * (
        event_notify.MAX_PAYLOAD_BYTES - len(event_notify.encode("alert.updated", data))
    )
    assert (
        len(event_notify.encode("alert.updated", data).encode()) == event_notify.MAX_PAYLOAD_BYTES
    )
    with _console(api) as ws:
        assert receive(ws)["kind"] == "snapshot"
        with other.session() as session:
            events.emit(session, "alert.updated", dict(data))
        assert receive(ws) == {"kind": "alert.updated", "data": data}


async def test_two_hubs_on_one_database_do_not_see_each_others_events(
    postgres_schemas: Callable[[], str],
) -> None:
    first, second = Database(postgres_schemas()), Database(postgres_schemas())
    buses = events.EventBus(), events.EventBus()
    try:
        async with (
            relaying(first.engine, buses[0]) as relay_1,
            relaying(second.engine, buses[1]) as relay_2,
        ):
            assert relay_1 and relay_2 and relay_1.channel != relay_2.channel
            feeds = buses[0].subscribe(), buses[1].subscribe()
            for name, database in (("first", first), ("second", second)):
                with database.session() as session:
                    events.emit(session, "x.hub", {"hub": name})
            received = [await _get(feed) for feed in feeds]
            assert [item.data["hub"] for item in received] == ["first", "second"]
            for feed in feeds:
                with pytest.raises(TimeoutError):
                    await _get(feed, wait_s=0.5)
    finally:
        first.dispose()
        second.dispose()


async def _get(feed: events.Subscription, wait_s: float = 5.0) -> events.DomainEvent:
    return await asyncio.wait_for(feed.queue.get(), wait_s)


def test_the_relay_reconnects_and_consoles_get_a_fresh_snapshot(
    api: ApiClient, other: Database, site: LoadResult, caplog: pytest.LogCaptureFixture
) -> None:
    relay = api.client.app.state.event_relay  # type: ignore[attr-defined]
    before = _raise(other, site, "smoke-b2-hall/smoke")
    with _console(api) as ws, caplog.at_level(logging.WARNING, "hub.event_relay"):
        assert [a["id"] for a in receive(ws)["data"]["alerts"]] == [before]
        with other.engine.begin() as conn:
            pid = conn.scalar(
                sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE pid = :pid AND application_name = :app"
                ),
                {"pid": relay.backend_pid, "app": APPLICATION_NAME},
            )
            assert pid is not None
            # Committed while the relay is gone: only the fresh snapshot can tell the console.
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        missed = _raise(other, site, "leak-b1-101/leak")
        resync = receive(ws, timeout=10)
        while resync["kind"] != "snapshot":  # the dying backend may still have passed it on
            assert (resync["kind"], resync["data"]["id"]) == ("alert.raised", missed)
            resync = receive(ws, timeout=10)
        assert {a["id"] for a in resync["data"]["alerts"]} == {before, missed}
        later = _raise(other, site, "leak-b2-201/leak")
        assert next_of(ws, "alert.raised", later)["id"] == later
    assert relay.backend_pid not in (None, pid)
    assert "live-feed relay lost PostgreSQL" in caplog.text
    assert "live-feed relay listening again" in caplog.text


def test_a_foreign_notification_on_the_channel_is_ignored(
    api: ApiClient, other: Database, raise_leak: RaiseAlert
) -> None:
    relay = api.client.app.state.event_relay  # type: ignore[attr-defined]
    with _console(api) as ws:
        assert receive(ws)["kind"] == "snapshot"
        with other.engine.begin() as conn:
            conn.execute(sa.text("SELECT pg_notify(:c, 'not json')"), {"c": relay.channel})
            conn.execute(sa.text("SELECT pg_notify(:c, :p)"), {"c": relay.channel, "p": "[]"})
        alert = raise_leak()
        assert receive(ws) == {"kind": "alert.raised", "data": json.loads(json.dumps(alert))}
