"""The hub worker: MQTT messages in; readings, events, dead letters, work orders and alerts out.

One task receives, one stores and evaluates in batches on a single database thread (so the
event loop stays free and the database sees one writer), one runs the timers: device silence
(offline rules) and missed patrol stops. Each batch is one transaction: ingest, rules and their
actions commit together, and only then does the broker get its acknowledgements, so a crash
loses nothing (the broker redelivers; ingest is idempotent). A batch that fails is retried in
halves, down to the one message that still fails, which becomes a dead letter: nothing received
is dropped silently. Counters go to `hub.metrics.registry` for `/metrics`.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from adapters.mqtt.subscriber import ReceivedMessage, Subscriber
from adapters.mqtt.topics import parse_topic
from adapters.mqtt.url import parse_mqtt_url
from hub.context import HubContext
from hub.errors import ConfigError, ServiceUnavailable
from hub.ingest import (
    DeviceDirectory,
    IngestResult,
    ReadingAges,
    dead_letter,
    ingest_batch,
    mark_silent,
)
from hub.metrics import registry
from hub.partitions import Claim, Partition, claim, owned_sites
from hub.services import commands, status
from hub.services.automation import apply_actions
from hub.services.rule_state import RulesRuntime
from hub.timeseries import influx_sink, reading_rows
from rules.engine import evaluate_silence

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
    """Subscribes to everything under `{prefix}/` and runs until `stop` is set.

    With a `partition` (worker i of N, hub/partitions.py) it subscribes to its own sites only, so
    every message of a device reaches one worker. On PostgreSQL it holds its partition (1/1 when
    unpartitioned) with advisory locks, checked at each tick: a worker whose lock was taken by
    another while its connection was down stops.
    """

    def __init__(
        self,
        context: HubContext,
        mqtt_url: str,
        rules_path: Path,
        *,
        topic_prefix: str | None = None,
        persistent_session: bool = True,
        tick_seconds: float = 5.0,
        batch_size: int = 2000,
        partition: Partition | None = None,
    ) -> None:
        self.context = context
        try:
            parse_mqtt_url(mqtt_url)
        except ValueError as exc:
            raise ConfigError(f"HUB_MQTT_URL: {exc}") from None
        self.mqtt_url = mqtt_url
        self.partition = partition if partition is not None and partition.count > 1 else None
        # a bad rules file stops the start, with its reason
        self.runtime = RulesRuntime(rules_path, partition=self.partition)
        self.influx = influx_sink(context.settings)  # an optional copy; SQL stays the record
        self.prefix = topic_prefix or context.settings.topic_prefix
        self.reading_ages = ReadingAges.of(context.settings)  # read once, not per batch
        # one persistent session per partition: the same id twice would take over each other's
        client_id = f"estate-hub-{self.prefix}"
        if self.partition is not None:
            client_id += f"-{self.partition.index + 1}of{self.partition.count}"
        self.client_id = client_id if persistent_session else None
        self.tick_seconds = tick_seconds
        self.batch_size = batch_size
        self.connected = asyncio.Event()  # set while subscribed
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._subscriber: Subscriber | None = None
        self._in_batch = 0
        self.devices = DeviceDirectory()
        self._executor: ThreadPoolExecutor | None = None
        self._watching_since: datetime | None = None  # last (re)connect: silence counts from here
        self._last_tick: datetime | None = None
        self._claim: Claim | None = None  # while running
        self._started_at: datetime | None = None  # its first timer pass

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
            queued=self._queued(),
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Receive, store and evaluate until `stop`; what was received is processed first."""
        log.info("worker: %d rules from %s", len(self.runtime.rules.rules), self.runtime.path)
        # The MQTT thread gives up the interpreter lock at every system call and then waits out
        # the other thread's whole switch interval to get it back; 0.5 ms instead of 5 ms kept
        # it reading while a batch was stored (2,260 -> 2,590 msg/s, one worker, one run, before
        # the read-ahead socket made those system calls rare; later runs could not tell apart).
        sys.setswitchinterval(0.0005)
        try:
            # held even unpartitioned (1/1): a second `hub run` on the database is refused too
            with claim(self.context.db, self.partition or Partition.whole()) as held:
                self._claim = held
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="hub-worker-db")
                try:
                    sites = None
                    if self.partition is not None:
                        owned = await self._in_db_thread(self._owned_sites)
                        sites = [code for _, code in owned]
                        log.info("worker: partition %s, sites %s", self.partition, ", ".join(sites))
                    await self._serve(stop, sites)
                finally:
                    self._claim = None
                    executor, self._executor = self._executor, None
                    # before the lock goes: a tick's check of it may still run on that thread
                    await asyncio.to_thread(executor.shutdown, True)
        finally:
            if self.influx is not None:
                self.influx.close()

    async def _serve(self, stop: asyncio.Event, sites: list[str] | None) -> None:
        subscriber = Subscriber(
            self.mqtt_url,
            self.prefix,
            sites=sites,
            client_id=self.client_id,
            on_connection=self._connection,
        )
        self._subscriber = subscriber
        registry.gauge("hub_queue_messages", "Received, not yet committed", self._queued)
        await subscriber.start()
        consumer = asyncio.create_task(self._consume(subscriber), name="worker-store")
        timer = asyncio.create_task(self._timer(), name="worker-timer")
        stopper = asyncio.create_task(stop.wait())
        parts = {consumer, timer}
        try:
            done, _ = await asyncio.wait(parts | {stopper}, return_when=asyncio.FIRST_COMPLETED)
            subscriber.interrupt()  # the consumer finishes what was received, then returns
            if consumer not in done:
                await asyncio.wait({consumer})
            for task in (timer, stopper):
                task.cancel()
            await asyncio.gather(timer, stopper, return_exceptions=True)
        finally:
            await subscriber.stop()
            self._connection(False)
        for task in parts:
            error = None if task.cancelled() or not task.done() else task.exception()
            if error is not None:
                raise error

    def _connection(self, connected: bool) -> None:
        if connected:
            self._watching_since = self._last_tick = self.context.clock.now()
            self.connected.set()
        else:
            self._watching_since = None
            self.connected.clear()

    def _owned_sites(self) -> list[tuple[int, str]]:
        """(id, code) of the sites of this worker's partition, as the database has them now."""
        assert self.partition is not None
        with self.context.db.session() as session:
            return owned_sites(session, self.partition)

    def _queued(self) -> int:
        """Received and not yet committed: waiting for a batch, or in the batch being stored."""
        waiting = self._subscriber.pending() if self._subscriber is not None else 0
        return waiting + self._in_batch

    async def _consume(self, subscriber: Subscriber) -> None:
        """One batch at a time: what arrived while the last one was stored is the next one."""
        while batch := await subscriber.batch(self.batch_size):
            self._in_batch = len(batch)
            try:
                await self._in_db_thread(self.handle_batch, batch)
                subscriber.ack(batch)  # committed: now the broker may forget them
            finally:
                self._in_batch = 0

    async def _timer(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds)
            if self._claim is not None:  # raises if another worker took the partition: stop
                await self._in_db_thread(self._claim.hold)
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
        """Store and evaluate `messages` in one transaction; on failure, each half again.

        Halves, not one by one: a message that fails the batch (a hub bug) then costs about
        2·log2(n) transactions, not n, and its good neighbours still go in together."""
        now = self.context.clock.now()
        started = time.perf_counter()
        try:
            with self.context.db.session() as session:
                results = ingest_batch(
                    session,
                    messages,
                    prefix=self.prefix,
                    now=now,
                    devices=self.devices,
                    ages=self.reading_ages,
                )
                totals = self._evaluate(session, results, now)
            self._copy_to_influx(messages, results, now)
        except Exception as exc:
            self.devices.forget_presence()  # what the batch wrote was rolled back
            if len(messages) > 1:
                half = len(messages) // 2
                log.warning(
                    "worker: a batch of %d failed (%s); retrying it in halves of %d and %d",
                    len(messages),
                    exc,
                    half,
                    len(messages) - half,
                )
                self.handle_batch(messages[:half])
                self.handle_batch(messages[half:])
                return
            log.exception("worker: could not store a message from %s", messages[0].topic)
            reason = f"internal error while storing: {type(exc).__name__}: {exc}"[:1000]
            with self.context.db.session() as session:
                dead_letter(session, messages[0], reason, now=now)
            totals = Counter(messages=1, dead_letters=1)
        registry.observe_batch(time.perf_counter() - started)
        totals["batches"] += 1
        self._count(totals)

    def _copy_to_influx(
        self, messages: Sequence[ReceivedMessage], results: Sequence[IngestResult], now: datetime
    ) -> None:
        """After the commit: the batch's readings to InfluxDB; a failure is logged and counted."""
        if self.influx is None:
            return
        rows = [
            row
            for message, result in zip(messages, results, strict=True)
            if result.observation is not None  # a dead letter's topic may not even parse
            for row in reading_rows(
                parse_topic(self.prefix, message.topic).site, result.observation, now=now
            )
        ]
        if not rows:
            return
        try:
            self.influx.write(rows)
        except ServiceUnavailable as exc:
            log.warning("worker: InfluxDB copy of %d readings failed: %s", len(rows), exc)
            self._count({"influx_failures": 1})

    def _evaluate(
        self, session: Session, results: Sequence[IngestResult], now: datetime
    ) -> Counter[str]:
        """Rules for each message in order; a message's actions are applied before the next."""
        totals: Counter[str] = Counter(messages=len(results))
        for result in results:
            totals["readings"] += result.readings
            totals["duplicates"] += result.duplicates
            totals["events"] += result.events
            totals["dead_letters"] += result.dead_letter is not None
            observation = result.observation
            if observation is None:
                continue
            totals["evaluations"] += 1
            actions = self.runtime.observe(session, observation, now)
            if observation.events:
                commands.acknowledge_events(session, observation, now=now)
            if actions:
                totals["actions"] += len(actions)
                totals["alerts"] += apply_actions(session, actions, now=now).alerts_raised
        return totals

    # ------------------------------------------------------------ timers

    async def tick(self) -> TickResult:
        """One timer pass at the context clock's now, on the database thread."""
        return await self._in_db_thread(self.tick_once, self.context.clock.now())

    def tick_once(self, now: datetime) -> TickResult:
        """Offline rules for devices silent past their limit, then missed patrol stops.

        Silence is only judged while connected to the broker; each part is its own transaction
        so a fault in one does not undo the other.
        """
        self.runtime.reload_if_changed()
        with self.context.db.session() as session:  # duration rules' timers
            timed = self.runtime.tick(session, now)
            applied = apply_actions(session, timed, now=now)
        self._count({"actions": len(timed), "alerts": applied.alerts_raised})
        since, after = self._watching_since, self._last_tick
        silent = 0
        rules = self.runtime.rules
        if since is not None and after is not None and rules.offline_kinds:
            with self.context.db.session() as session:
                self.devices.write_seen(session)  # the last seen held back: silence to the second
                watched = self.runtime.presences(session, now, since)
                actions = evaluate_silence(
                    rules, watched, watching_since=since, after=after, now=now
                )
                applied = apply_actions(session, actions, now=now)
                gone = {action.device_id for action in actions}
                mark_silent(session, gone, now=now)
            self.devices.forget_presence(gone)  # now offline: the next message reads it again
            silent = len(gone)
            self._last_tick = max(after, now)
            self._count({"actions": len(actions), "alerts": applied.alerts_raised})
        sites = None
        if self.partition is not None:
            owned = self._owned_sites()
            sites = {site_id for site_id, _ in owned}
            if self._subscriber is not None:  # a site loaded since: follow its topics too
                self._subscriber.follow(code for _, code in owned)
        with self.context.db.session() as session:
            missed = _check_missed(session, now, sites)
        self._count({"ticks": 1})
        self._beat(now)
        return TickResult(silent, missed)

    def _beat(self, now: datetime) -> None:
        """Say on the health page that this worker is alive, and whether it hears the broker."""
        stats = self.stats()
        self._started_at = self._started_at or now
        with self.context.db.session() as session:
            status.record_heartbeat(
                session,
                status.Heartbeat(
                    name=str(self.partition or Partition.whole()),
                    started_at=self._started_at,
                    every_s=self.tick_seconds,
                    broker_connected=stats.connected,
                    queued=stats.queued,
                    messages=stats.messages,
                    dead_letters=stats.dead_letters,
                ),
                now=now,
            )

    def _count(self, *counts: dict[str, int]) -> None:
        with self._lock:
            for item in counts:
                self._counts.update(item)
        for item in counts:
            registry.add(item)


def _check_missed(session: Session, now: datetime, site_ids: set[int] | None) -> int:
    from hub.services import patrol  # written alongside; imported when first needed

    return len(patrol.check_missed(session, now=now, site_ids=site_ids))
