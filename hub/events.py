"""Domain events for the live feed, published only once the transaction that made them commits.

Services call `emit(session, kind, data)`; a SQLAlchemy `after_commit` hook hands the events to
the process-wide `bus`, whose subscribers (the live WebSocket) receive them on their own loop.
A rolled-back transaction publishes nothing.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

_PENDING = "hub_pending_events"


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


@event.listens_for(Session, "after_commit")
def _publish_committed(session: Session) -> None:
    for item in session.info.pop(_PENDING, []):
        bus.publish(item)


@event.listens_for(Session, "after_rollback")
def _drop_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)
