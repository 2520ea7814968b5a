"""Append-only record of who saw or changed what; admins search it, old entries age out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from hub.storage.models import AuditEntry, User


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


@dataclass(frozen=True)
class AuditFilter:
    """What an admin searches by; every field optional, `target` matches a prefix."""

    user_id: int | None = None
    action: str | None = None
    target: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.user_id is not None:
            found.append(AuditEntry.user_id == self.user_id)
        if self.action:
            found.append(AuditEntry.action == self.action)
        if self.target:
            escaped = self.target.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            found.append(AuditEntry.target.like(f"{escaped}%", escape="\\"))
        if self.since is not None:
            found.append(AuditEntry.at >= self.since)
        if self.until is not None:
            found.append(AuditEntry.at < self.until)
        return found


def search(
    session: Session, where: AuditFilter, *, limit: int, before_id: int | None = None
) -> tuple[list[tuple[AuditEntry, str | None]], int]:
    """One page of matching entries, newest first, each with its actor's username, and how
    many match in all. Pages are keyed by id (`before_id`), so entries written while someone
    reads (reading the log is logged too) do not shift the next page."""
    conditions = where.conditions()
    total = session.scalar(select(func.count(AuditEntry.id)).where(*conditions)) or 0
    if before_id is not None:
        conditions.append(AuditEntry.id < before_id)
    rows = session.execute(
        select(AuditEntry, User.username)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(*conditions)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return [(entry, username) for entry, username in rows], total


def prune(session: Session, *, now: datetime, retention_days: int) -> int:
    """Delete entries older than the retention; how many went."""
    cutoff = now - timedelta(days=retention_days)
    result = session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
