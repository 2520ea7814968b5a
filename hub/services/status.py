"""How the hub is doing, in numbers, and what it could not understand (dead letters).

`counts` backs both `GET /api/v1/status` and `hub status --json`, so both say the same.
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hub.domain import ACTIVE_ALERT_STATES, OPEN_WORK_ORDER_STATES
from hub.storage.models import Alert, Bill, DeadLetter, PatrolScan, Reading, WorkOrder


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
