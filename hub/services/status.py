"""How the hub is doing, in numbers, and what it could not understand (dead letters).

`counts` backs both `GET /api/v1/status` and `hub status --json`, so both say the same.
`health` adds what the health page needs, each part only as far as the hub measures it: the
workers' heartbeats (each worker writes one per timer pass, with whether it hears the broker),
the dead letters, and what waits to go out (notifications, device commands). The broker's state
is what the live workers report; with no live worker the hub does not know it, and says so.
"""

from __future__ import annotations

import base64
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hub.domain import (
    ACTIVE_ALERT_STATES,
    OPEN_WORK_ORDER_STATES,
    CommandStatus,
    DeliveryStatus,
)
from hub.storage.models import (
    Alert,
    Bill,
    DeadLetter,
    DeviceCommand,
    OutboxMessage,
    PatrolScan,
    Reading,
    WorkerHeartbeat,
    WorkOrder,
)

MISSED_BEATS = 3  # a worker silent for this many of its timer passes is taken as gone


def counts(session: Session) -> dict[str, int]:
    """Row counts an operator checks first: is data arriving, is anything waiting."""
    queries = {
        "readings": _count(Reading.id),
        "work_orders_open": _count(WorkOrder.id, WorkOrder.status.in_(OPEN_WORK_ORDER_STATES)),
        "work_orders_total": _count(WorkOrder.id),
        "alerts_active": _count(Alert.id, Alert.state.in_(ACTIVE_ALERT_STATES)),
        "alerts_total": _count(Alert.id),
        "patrol_scans": _count(PatrolScan.id),
        "bills": _count(Bill.id),
        "dead_letters": _count(DeadLetter.id),
    }
    return {name: session.scalar(query) or 0 for name, query in queries.items()}


def _count(
    column: InstrumentedAttribute[int], where: ColumnElement[bool] | None = None
) -> Select[int]:
    query = select(func.count(column))
    return query if where is None else query.where(where)


def latest_dead_letters(
    session: Session, *, limit: int = 50, before_id: int | None = None
) -> list[DeadLetter]:
    """Newest first, a page at a time: keyed by id, so letters arriving while someone reads do
    not shift the next page."""
    query = select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(DeadLetter.id < before_id)
    return list(session.scalars(query))


def dead_letter_view(letter: DeadLetter) -> dict[str, Any]:
    """The kept payload as text when it is UTF-8, else base64 (`payload_encoding` says which).

    A prefix cut inside a multi-byte character is still text: the cut character is dropped."""
    try:
        payload, encoding = _text(letter.payload, letter.size), "utf-8"
    except UnicodeDecodeError:
        payload, encoding = base64.b64encode(letter.payload).decode("ascii"), "base64"
    return {
        "id": letter.id,
        "topic": letter.topic,
        "reason": letter.reason,
        "received_at": letter.received_at.isoformat(),
        "payload": payload,
        "payload_encoding": encoding,
        "size": letter.size,
        "sha256": letter.sha256,
        "truncated": len(letter.payload) < letter.size,
    }


def _text(kept: bytes, size: int) -> str:
    """UTF-8 `kept`; when it is a cut prefix, up to 3 bytes of a split last character may go."""
    if len(kept) < size:
        for cut in range(4):
            try:
                return kept[: len(kept) - cut].decode("utf-8")
            except UnicodeDecodeError:
                continue
    return kept.decode("utf-8")


@dataclass(frozen=True)
class Heartbeat:
    """What a worker says about itself at each timer pass."""

    name: str
    started_at: datetime
    every_s: float
    broker_connected: bool
    queued: int
    messages: int
    dead_letters: int


def record_heartbeat(session: Session, beat: Heartbeat, *, now: datetime) -> None:
    """Write the worker's row (one per worker name), rewritten each time."""
    row = session.scalars(
        select(WorkerHeartbeat).where(WorkerHeartbeat.name == beat.name)
    ).one_or_none()
    if row is None:
        row = WorkerHeartbeat(name=beat.name)
        session.add(row)
    row.host, row.pid = socket.gethostname()[:200], os.getpid()
    row.started_at, row.beat_at, row.every_s = beat.started_at, now, beat.every_s
    row.broker_connected, row.queued = beat.broker_connected, beat.queued
    row.messages, row.dead_letters = beat.messages, beat.dead_letters


class BrokerState(StrEnum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    UNKNOWN = "unknown"  # no live worker to ask


@dataclass(frozen=True)
class WorkerHealth:
    row: WorkerHeartbeat
    alive: bool
    silent_s: float


@dataclass(frozen=True)
class Backlog:
    """Rows waiting, and how long the oldest has waited (None when nothing waits)."""

    pending: int
    oldest_s: float | None


@dataclass(frozen=True)
class Health:
    broker: BrokerState
    workers: list[WorkerHealth]
    dead_letters: int
    dead_letters_24h: int
    outbox: Backlog
    commands: Backlog
    ingest_queued: int | None  # received by live workers, not yet stored; None: no live worker


def health(session: Session, *, now: datetime) -> Health:
    """The health page: every part as measured now, `unknown`/None where nothing measures it."""
    workers = [
        WorkerHealth(row, silent <= row.every_s * MISSED_BEATS, silent)
        for row in session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.name))
        for silent in [max(0.0, (now - row.beat_at).total_seconds())]
    ]
    alive = [w for w in workers if w.alive]
    if not alive:
        broker = BrokerState.UNKNOWN
    elif all(w.row.broker_connected for w in alive):
        broker = BrokerState.CONNECTED
    else:
        broker = BrokerState.DISCONNECTED
    return Health(
        broker=broker,
        workers=workers,
        dead_letters=session.scalar(_count(DeadLetter.id)) or 0,
        dead_letters_24h=session.scalar(
            _count(DeadLetter.id, DeadLetter.received_at > now - timedelta(hours=24))
        )
        or 0,
        outbox=_backlog(
            session, OutboxMessage.created_at, OutboxMessage.status == DeliveryStatus.PENDING, now
        ),
        commands=_backlog(
            session, DeviceCommand.created_at, DeviceCommand.status == CommandStatus.PENDING, now
        ),
        ingest_queued=sum(w.row.queued for w in alive) if alive else None,
    )


def _backlog(
    session: Session,
    created: InstrumentedAttribute[datetime],
    waiting: ColumnElement[bool],
    now: datetime,
) -> Backlog:
    pending, oldest = session.execute(select(func.count(), func.min(created)).where(waiting)).one()
    age = None if oldest is None else max(0.0, (now - oldest).total_seconds())
    return Backlog(pending or 0, age)
