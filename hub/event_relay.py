"""The relay: brings events committed by any process back into this process's `bus`.

With PostgreSQL every process sends its committed events with NOTIFY (`hub/events.py`); each
process that serves the live feed runs one relay, which LISTENs on the hub's channel on a
connection of its own and re-publishes every notification. If that connection drops, the relay
logs a warning, reconnects with backoff, and publishes `RESYNC` so consoles get a fresh snapshot
instead of silently missing what was committed meanwhile.

One relay per process: two relays on one database would publish every event twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from sqlalchemy import Engine

from hub.event_notify import channel_for
from hub.events import DomainEvent, EventBus, bus

log = logging.getLogger(__name__)

RESYNC = "hub.resync"  # published after a reconnect: events may have been missed
APPLICATION_NAME = "estate-hub-event-relay"  # what pg_stat_activity shows for the relay
PING_S = 30.0  # an idle connection is checked this often (and given as long to answer)
CONNECT_TIMEOUT_S = 10
RETRY_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


def libpq_conninfo(engine: Engine) -> str:
    """The libpq connection string for `engine`'s URL: the same parameters SQLAlchemy passes.

    Query arguments (`options=-csearch_path=...`, `sslmode`, ...) are kept, so the relay lands
    in the same schema as the engine and derives the same channel.
    """
    _, params = engine.dialect.create_connect_args(engine.url)
    keywords = {k: v for k, v in params.items() if k != "context" and v is not None}
    keywords.setdefault("application_name", APPLICATION_NAME)
    keywords.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
    return make_conninfo("", **keywords)


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


class EventRelay:
    """LISTEN on the hub's channel and publish each notification into `target`."""

    def __init__(self, engine: Engine, target: EventBus = bus) -> None:
        self._conninfo = libpq_conninfo(engine)
        self._target = target
        self.ready = asyncio.Event()  # set while LISTEN is in effect
        self.channel: str | None = None
        self.backend_pid: int | None = None  # the listening connection's server process
        self.relayed = 0  # notifications published so far

    async def run(self) -> None:
        """Relay until cancelled, reconnecting whenever the connection fails."""
        failures = 0
        while True:
            try:
                await self._listen(resync=failures > 0)
            except (psycopg.Error, OSError) as exc:  # OSError includes TimeoutError
                self.ready.clear()
                if self.backend_pid is not None:  # it was listening: start the backoff over
                    failures, self.backend_pid = 0, None
                delay = RETRY_S[min(failures, len(RETRY_S) - 1)]
                failures += 1
                log.warning(
                    "live-feed relay lost PostgreSQL (%s); reconnecting in %.1f s",
                    str(exc).strip() or type(exc).__name__,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _listen(self, *, resync: bool) -> None:
        async with await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True) as conn:
            cursor = await conn.execute("SELECT current_schema()")
            row = await cursor.fetchone()
            self.channel = channel_for(str(row[0]) if row and row[0] else "")
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self.backend_pid = conn.info.backend_pid
            self.ready.set()
            if resync:
                log.warning("live-feed relay listening again on %s", self.channel)
                self._target.publish(DomainEvent(RESYNC, {}))
            while True:
                async for notification in conn.notifies(timeout=PING_S):
                    self._publish(notification.payload)
                async with asyncio.timeout(PING_S):  # a half-open TCP connection never answers
                    await conn.execute("SELECT 1")

    def _publish(self, payload: str) -> None:
        try:
            message: Any = json.loads(payload)
            item = DomainEvent(str(message["kind"]), dict(message["data"]))
        except (ValueError, TypeError, KeyError) as exc:
            log.warning(
                "live-feed relay ignored a malformed notification (%s): %.200s", exc, payload
            )
            return
        self.relayed += 1
        self._target.publish(item)


@contextlib.asynccontextmanager
async def relaying(
    engine: Engine, target: EventBus = bus, *, ready_timeout: float = 10.0
) -> AsyncIterator[EventRelay | None]:
    """Run a relay for `engine` while the block runs; nothing to do unless it is PostgreSQL.

    Waits (up to `ready_timeout`) until LISTEN is in effect, so an event committed once the block
    has started is not missed; a database still down by then only delays the feed.
    """
    if not is_postgresql(engine):
        yield None
        return
    relay = EventRelay(engine, target)
    task = asyncio.create_task(relay.run(), name="event-relay")
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(relay.ready.wait(), ready_timeout)
        if not relay.ready.is_set():
            log.warning("live-feed relay not listening yet; the feed starts when it is")
        yield relay
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
