"""The hub worker: MQTT messages in; readings, events, dead letters, work orders and alerts out.

One task receives, one stores and evaluates in batches on a single database thread (so the
event loop stays free and the database sees one writer), one runs the timers: device silence
(offline rules) and missed patrol stops. Each batch is one transaction: ingest, rules and their
actions commit together. A batch that fails is retried message by message, and a message that
still fails becomes a dead letter: nothing received is dropped silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from adapters.mqtt.subscriber import ReceivedMessage, Subscriber
from adapters.mqtt.url import parse_mqtt_url
from hub.context import HubContext
from hub.errors import ConfigError
from hub.ingest import dead_letter, ingest, mark_silent, presences
from hub.services.automation import apply_actions
from rules.compile import load_rules
from rules.engine import evaluate, evaluate_silence

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class WorkerStats:
    """Counts since the worker started, for `hub status`."""

    connected: bool = False
    messages: int = 0
    readings: int = 0
    duplicates: int = 0
    events: int = 0
    dead_letters: int = 0
    actions: int = 0
    ticks: int = 0
    queued: int = 0


@dataclass(frozen=True)
class TickResult:
    devices_gone_silent: int
    missed_patrol_alerts: int


class HubWorker:
    """Subscribes to `{prefix}/+/+/{telemetry,event,status}` and runs until `stop` is set."""

    def __init__(
        self,
        context: HubContext,
        mqtt_url: str,
        rules_path: Path,
        *,
        topic_prefix: str | None = None,
        persistent_session: bool = True,
        tick_seconds: float = 5.0,
        batch_size: int = 200,
    ) -> None:
        self.context = context
        try:
            parse_mqtt_url(mqtt_url)
        except ValueError as exc:
            raise ConfigError(f"HUB_MQTT_URL: {exc}") from None
        self.mqtt_url = mqtt_url
        self.rules = load_rules(rules_path)  # a bad rules file stops the start, with its reason
        self.prefix = topic_prefix or context.settings.topic_prefix
        self.client_id = f"estate-hub-{self.prefix}" if persistent_session else None
        self.tick_seconds = tick_seconds
        self.batch_size = batch_size
        self.connected = asyncio.Event()  # set while subscribed
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._queue: asyncio.Queue[ReceivedMessage] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._watching_since: datetime | None = None  # last (re)connect: silence counts from here
        self._last_tick: datetime | None = None

    def stats(self) -> WorkerStats:
        with self._lock:
            counts = Counter(self._counts)
        return WorkerStats(
            connected=self.connected.is_set(),
            messages=counts["messages"],
            readings=counts["readings"],
            duplicates=counts["duplicates"],
            events=counts["events"],
            dead_letters=counts["dead_letters"],
            actions=counts["actions"],
            ticks=counts["ticks"],
            queued=self._queue.qsize() if self._queue is not None else 0,
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Receive, store and evaluate until `stop`; what was received is processed first."""
        log.info("worker: %d rules from %s", len(self.rules.rules), self.rules.source)
        queue: asyncio.Queue[ReceivedMessage] = asyncio.Queue(maxsize=self.batch_size * 20)
        self._queue = queue
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="hub-worker-db")
        subscriber = Subscriber(
            self.mqtt_url, self.prefix, client_id=self.client_id, on_connection=self._connection
        )
        receiver = asyncio.create_task(self._receive(subscriber, queue), name="worker-receive")
        consumer = asyncio.create_task(self._consume(queue), name="worker-store")
        timer = asyncio.create_task(self._timer(), name="worker-timer")
        stopper = asyncio.create_task(stop.wait())
        parts = {receiver, consumer, timer}
        try:
            done, _ = await asyncio.wait(parts | {stopper}, return_when=asyncio.FIRST_COMPLETED)
            receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await receiver
            if consumer not in done:  # finish what was already received
                draining = asyncio.create_task(queue.join())
                await asyncio.wait({draining, consumer}, return_when=asyncio.FIRST_COMPLETED)
                draining.cancel()
            for task in (consumer, timer, stopper):
                task.cancel()
            await asyncio.gather(consumer, timer, stopper, return_exceptions=True)
        finally:
            self._connection(False)
            executor, self._executor = self._executor, None
            await asyncio.to_thread(executor.shutdown, True)
        for task in done & parts:
            error = None if task.cancelled() else task.exception()
            if error is not None:
                raise error

    def _connection(self, connected: bool) -> None:
        if connected:
            self._watching_since = self._last_tick = self.context.clock.now()
            self.connected.set()
        else:
            self._watching_since = None
            self.connected.clear()

    async def _receive(self, subscriber: Subscriber, queue: asyncio.Queue[ReceivedMessage]) -> None:
        async for message in subscriber.messages():
            await queue.put(message)

    async def _consume(self, queue: asyncio.Queue[ReceivedMessage]) -> None:
        while True:
            batch = [await queue.get()]
            while len(batch) < self.batch_size and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                await self._in_db_thread(self.handle_batch, batch)
            finally:
                for _ in batch:
                    queue.task_done()

    async def _timer(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds)
            try:
                await self.tick()
            except Exception:  # a timer fault must not stop ingest; it is logged loudly
                log.exception("worker: timer pass failed")

    async def _in_db_thread(self, function: Callable[..., T], *args: Any) -> T:
        if self._executor is None:
            return await asyncio.to_thread(function, *args)
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    # ------------------------------------------------------------ messages

    def handle_batch(self, messages: Sequence[ReceivedMessage]) -> None:
        """Store and evaluate `messages` in one transaction; on failure, one by one."""
        now = self.context.clock.now()
        try:
            with self.context.db.session() as session:
                totals = [self._handle(session, message, now) for message in messages]
        except Exception as exc:
            if len(messages) > 1:
                log.warning(
                    "worker: a batch of %d failed (%s); retrying singly", len(messages), exc
                )
                for message in messages:
                    self.handle_batch([message])
                return
            log.exception("worker: could not store a message from %s", messages[0].topic)
            reason = f"internal error while storing: {type(exc).__name__}: {exc}"[:1000]
            with self.context.db.session() as session:
                dead_letter(session, messages[0], reason, now=now)
            totals = [{"messages": 1, "dead_letters": 1}]
        self._count(*totals)

    def _handle(self, session: Session, message: ReceivedMessage, now: datetime) -> dict[str, int]:
        result = ingest(session, message, prefix=self.prefix, now=now)
        actions = evaluate(self.rules, result.observation) if result.observation else []
        apply_actions(session, actions, now=now)
        return {
            "messages": 1,
            "readings": result.readings,
            "duplicates": result.duplicates,
            "events": result.events,
            "dead_letters": int(result.dead_letter is not None),
            "actions": len(actions),
        }

    # ------------------------------------------------------------ timers

    async def tick(self) -> TickResult:
        """One timer pass at the context clock's now, on the database thread."""
        return await self._in_db_thread(self.tick_once, self.context.clock.now())

    def tick_once(self, now: datetime) -> TickResult:
        """Offline rules for devices silent past their limit, then missed patrol stops.

        Silence is only judged while connected to the broker; each part is its own transaction
        so a fault in one does not undo the other.
        """
        since, after = self._watching_since, self._last_tick
        silent = 0
        if since is not None and after is not None and self.rules.offline_kinds:
            with self.context.db.session() as session:
                watched = presences(session, self.rules.offline_kinds)
                actions = evaluate_silence(
                    self.rules, watched, watching_since=since, after=after, now=now
                )
                apply_actions(session, actions, now=now)
                gone = {action.device_id for action in actions}
                mark_silent(session, gone, now=now)
            silent = len(gone)
            self._last_tick = max(after, now)
            self._count({"actions": len(actions)})
        with self.context.db.session() as session:
            missed = _check_missed(session, now)
        self._count({"ticks": 1})
        return TickResult(silent, missed)

    def _count(self, *counts: dict[str, int]) -> None:
        with self._lock:
            for item in counts:
                self._counts.update(item)


def _check_missed(session: Session, now: datetime) -> int:
    from hub.services import patrol  # written alongside; imported when first needed

    return len(patrol.check_missed(session, now=now))
