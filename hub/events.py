"""Domain events for the live feed, published only once the transaction that made them commits.

Services call `emit(session, kind, data)`. Where they go depends on the session's database:

- SQLite (the one-process demo): an `after_commit` hook hands them to the process-wide `bus`,
  whose subscribers (the live WebSocket) receive them on their own loop.
- PostgreSQL (several processes): a `before_commit` hook sends them with `pg_notify` inside the
  transaction (`hub/event_notify.py`), and every process serving the feed gets them back into
  its `bus` through `hub/event_relay.py`, including the one that committed. Never both paths,
  so a console sees each event once.

A rolled-back transaction publishes nothing; on PostgreSQL a rolled-back savepoint drops only the
events emitted inside it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from hub import event_notify

log = logging.getLogger(__name__)

_PENDING = "hub_pending_events"
_SAVEPOINTS = "hub_pending_events_at_savepoint"  # PostgreSQL: savepoint -> events before it


@dataclass(frozen=True)
class DomainEvent:
    kind: str  # e.g. "alert.raised", "alert.acknowledged", "work_order.opened"
    data: dict[str, Any] = field(default_factory=dict)


class Subscription:
    """A queue of events bound to the event loop that reads it."""

    def __init__(self, bus: EventBus, loop: asyncio.AbstractEventLoop) -> None:
        self._bus = bus
        self._loop = loop
        self.queue: asyncio.Queue[DomainEvent] = asyncio.Queue(maxsize=10_000)

    def deliver(self, item: DomainEvent) -> None:
        self._loop.call_soon_threadsafe(self._put, item)

    def _put(self, item: DomainEvent) -> None:
        if self.queue.full():  # a stuck console must not grow memory without bound
            self.queue.get_nowait()
        self.queue.put_nowait(item)

    def close(self) -> None:
        self._bus.unsubscribe(self)


class EventBus:
    """In-process fan-out of committed domain events to live subscribers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: list[Subscription] = []

    def subscribe(self) -> Subscription:
        subscription = Subscription(self, asyncio.get_running_loop())
        with self._lock:
            self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)

    def publish(self, item: DomainEvent) -> None:
        with self._lock:
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            try:
                subscription.deliver(item)
            except RuntimeError:  # its loop has closed
                self.unsubscribe(subscription)


bus = EventBus()


def emit(session: Session, kind: str, data: dict[str, Any]) -> None:
    """Queue an event to publish when `session` commits."""
    session.info.setdefault(_PENDING, []).append(DomainEvent(kind, data))


def _on_postgresql(session: Session) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


@event.listens_for(Session, "before_commit")
def _notify_committing(session: Session) -> None:
    """PostgreSQL: hand the events to the transaction as NOTIFYs, sent only if it commits."""
    if not _on_postgresql(session) or session.in_nested_transaction():
        return  # a savepoint's events wait for the outermost commit
    session.flush()  # what the commit would flush next: an event emitted by a flush hook comes too
    items = session.info.pop(_PENDING, [])
    if items:
        event_notify.notify(session.connection(), [(item.kind, item.data) for item in items])


@event.listens_for(Session, "after_commit")
def _publish_committed(session: Session) -> None:
    if not _on_postgresql(session):
        for item in session.info.pop(_PENDING, []):
            bus.publish(item)
    elif not session.in_nested_transaction() and (late := session.info.pop(_PENDING, [])):
        # The relay brings the others back; these came after the NOTIFY went out.
        log.warning("%d live event(s) emitted during the commit were not sent", len(late))


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    """PostgreSQL: remember how many events came before a savepoint, to undo only its own."""
    if transaction.nested and _on_postgresql(session):
        session.info.setdefault(_SAVEPOINTS, {})[transaction] = len(session.info.get(_PENDING, []))


@event.listens_for(Session, "after_transaction_end")
def _forget_savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        session.info.get(_SAVEPOINTS, {}).pop(transaction, None)


@event.listens_for(Session, "after_rollback")
def _drop_rolled_back(session: Session) -> None:
    savepoint = session.get_nested_transaction()  # the one rolling back, if a savepoint
    mark = session.info.get(_SAVEPOINTS, {}).get(savepoint) if savepoint else None
    if mark is None:
        session.info.pop(_PENDING, None)
    else:
        del session.info.get(_PENDING, [])[mark:]
