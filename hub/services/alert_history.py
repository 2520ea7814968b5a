"""An alarm's history: each step (raised, acknowledged, cleared, closed, linked) and comment,
with who did it and when, so the detail can answer "who did what" after the shift."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import AlertEventKind
from hub.storage.models import Alert, AlertEvent, User


def record(
    session: Session,
    alert: Alert,
    kind: AlertEventKind,
    *,
    now: datetime,
    by: User | None = None,
    note: str = "",
    work_order_id: int | None = None,
) -> AlertEvent:
    event = AlertEvent(
        alert_id=alert.id,
        kind=kind,
        at=now,
        by_id=by.id if by else None,
        by=by,
        note=note,
        work_order_id=work_order_id,
    )
    session.add(event)
    session.flush()
    return event


def history(session: Session, alert: Alert, *, comments_only: bool = False) -> list[AlertEvent]:
    """Oldest first, as a log reads."""
    query = select(AlertEvent).where(AlertEvent.alert_id == alert.id)
    if comments_only:
        query = query.where(AlertEvent.kind == AlertEventKind.COMMENTED)
    return list(session.scalars(query.order_by(AlertEvent.at, AlertEvent.id)))
