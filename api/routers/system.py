"""System health for staff: the health page's status and the dead letters the hub could not use."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import BeforeId, KeyedPage, next_before_id
from hub.domain import Role
from hub.services import status
from hub.storage.models import User

router = APIRouter(tags=["system"])

Staff = Annotated[User, Depends(require_role(Role.ADMIN, Role.OPERATOR))]


class DeadLetterOut(BaseModel):
    id: int
    topic: str
    reason: str
    received_at: datetime
    payload: str = Field(description="the first bytes kept (4 KiB at most), as text or base64")
    payload_encoding: Literal["utf-8", "base64"]
    size: int = Field(description="bytes of the whole payload as received")
    sha256: str = Field(description="hex SHA-256 of the whole payload")
    truncated: bool = Field(description="whether payload is only the start of it")


class DeadLetterPage(KeyedPage):
    items: list[DeadLetterOut]


class Counts(BaseModel):
    """Row counts, the same as `hub status --json`."""

    readings: int
    work_orders_open: int
    work_orders_total: int
    alerts_active: int
    alerts_total: int
    patrol_scans: int
    bills: int
    dead_letters: int


class WorkerOut(BaseModel):
    name: str = Field(description='its partition of the sites, e.g. "1/1"')
    host: str
    pid: int
    started_at: datetime
    last_heartbeat_at: datetime
    heartbeat_every_s: float
    alive: bool = Field(description="a heartbeat within 3 of its intervals")
    silent_s: float = Field(description="seconds since its last heartbeat")
    broker_connected: bool = Field(description="at its last heartbeat")
    queued: int = Field(description="messages received, not yet stored, at its last heartbeat")
    messages: int = Field(description="since it started")
    dead_letters: int = Field(description="since it started")


class BacklogOut(BaseModel):
    pending: int
    oldest_age_s: float | None = Field(description="how long the oldest has waited; null: none")


class StatusOut(BaseModel):
    checked_at: datetime
    database: Literal["ok"] = Field(description="this answer was read from it")
    broker: status.BrokerState = Field(
        description="as the live workers last saw it; unknown when no worker is alive"
    )
    workers: list[WorkerOut]
    dead_letters: int
    dead_letters_24h: int
    outbox: BacklogOut = Field(description="notifications waiting for the dispatcher")
    commands: BacklogOut = Field(description="device commands waiting to be published")
    ingest_queued: int | None = Field(
        description="messages the live workers hold, not yet stored; null: no live worker"
    )
    counts: Counts


@router.get("/status")
def get_status(session: SessionDep, context: ContextDep, _: Staff) -> StatusOut:
    """Health: broker, workers, dead letters and queues, only as far as the hub measures them."""
    now = context.clock.now()
    found = status.health(session, now=now)
    return StatusOut(
        checked_at=now,
        database="ok",
        broker=found.broker,
        workers=[_worker(w) for w in found.workers],
        dead_letters=found.dead_letters,
        dead_letters_24h=found.dead_letters_24h,
        outbox=_backlog(found.outbox),
        commands=_backlog(found.commands),
        ingest_queued=found.ingest_queued,
        counts=Counts(**status.counts(session)),
    )


def _worker(worker: status.WorkerHealth) -> WorkerOut:
    row = worker.row
    return WorkerOut(
        name=row.name,
        host=row.host,
        pid=row.pid,
        started_at=row.started_at,
        last_heartbeat_at=row.beat_at,
        heartbeat_every_s=row.every_s,
        alive=worker.alive,
        silent_s=worker.silent_s,
        broker_connected=row.broker_connected,
        queued=row.queued,
        messages=row.messages,
        dead_letters=row.dead_letters,
    )


def _backlog(backlog: status.Backlog) -> BacklogOut:
    return BacklogOut(pending=backlog.pending, oldest_age_s=backlog.oldest_s)


@router.get("/dead-letters")
def list_dead_letters(
    session: SessionDep,
    _: Staff,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: BeforeId = None,
) -> DeadLetterPage:
    """Newest first, a page at a time; each payload bounded, so a page is too."""
    letters = status.latest_dead_letters(session, limit=limit, before_id=before_id)
    items = [DeadLetterOut.model_validate(status.dead_letter_view(d)) for d in letters]
    cursor = next_before_id([item.id for item in items], limit)
    return DeadLetterPage(items=items, next_before_id=cursor)
