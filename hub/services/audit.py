"""Append-only record of who saw or changed what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hub.storage.models import AuditEntry


def record(
    session: Session,
    *,
    at: datetime,
    user_id: int | None,
    action: str,
    target: str,
    detail: str = "",
) -> None:
    session.add(AuditEntry(at=at, user_id=user_id, action=action, target=target, detail=detail))
