"""Closing a day (日结): finance notes every difference, signs the day off (who, when), and
may re-open a signed-off day with a reason; each step is in the audit log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from hub.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from hub.services.reconciliation.days import (
    LOCKED,
    DayResult,
    day_result,
    freeze,
    record_step,
    thaw,
)
from hub.storage.models import ReconciliationDay, ReconciliationNote, User
from hub.storage.models.reconciliation import DayState

SIGN_OFF, REOPEN = "sign_off", "reopen"
TRANSITIONS = {
    (DayState.OPEN, SIGN_OFF): DayState.SIGNED_OFF,
    (DayState.SIGNED_OFF, REOPEN): DayState.OPEN,
}
MAX_TEXT = 500


def _move(record: ReconciliationDay, action: str) -> None:
    target = TRANSITIONS.get((record.state, action))
    if target is None:
        raise InvalidTransition(f"a {record.state.value} day cannot {action}")
    record.state = target


def _day_or_raise(session: Session, provider: str, day: date) -> DayResult:
    result = day_result(session, provider, day)
    if result.record is None:
        raise NotFound(f"no {provider} statement imported for {day}")
    return result


def _text(text: str) -> str:
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise InvalidInput(f"text: 1 to {MAX_TEXT} characters")
    return text


def note(
    session: Session, *, provider: str, day: date, key: str, text: str, by: User, now: datetime
) -> DayResult:
    """Finance's note on the difference `key` (replacing an earlier one) of an open day."""
    result = _day_or_raise(session, provider, day)
    assert result.record is not None
    if result.record.state is DayState.SIGNED_OFF:
        raise Conflict(f"{provider} {day} is signed off: re-open it to change a note", code=LOCKED)
    if key not in {item.key for item in result.differences}:
        raise NotFound(f"no difference {key} on {provider} {day}")
    text = _text(text)
    existing = result.notes.get(key)
    if existing is None:
        session.add(
            ReconciliationNote(
                day_id=result.record.id, key=key, text=text, noted_at=now, noted_by_id=by.id
            )
        )
    else:
        existing.text, existing.noted_at, existing.noted_by_id = text, now, by.id
    session.flush()
    record_step(
        session,
        provider=provider,
        day=day,
        action="reconciliation_note",
        by=by,
        now=now,
        detail=f"{key}: {text}",
    )
    return day_result(session, provider, day)


def sign_off(session: Session, *, provider: str, day: date, by: User, now: datetime) -> DayResult:
    """Close the day as it stands: every difference noted; its result is frozen and locked."""
    result = _day_or_raise(session, provider, day)
    record = result.record
    assert record is not None
    if record.state is DayState.OPEN and result.unnoted:
        raise Conflict(
            f"{len(result.unnoted)} differences have no note yet; note each before signing off",
            code="reconciliation_unnoted",
        )
    _move(record, SIGN_OFF)
    record.signed_off_at, record.signed_off_by_id = now, by.id
    freeze(session, record, result.items)
    session.flush()
    record_step(
        session,
        provider=provider,
        day=day,
        action="reconciliation_sign_off",
        by=by,
        now=now,
        detail=f"{len(result.items) - len(result.differences)} matched, "
        f"{len(result.differences)} differences",
    )
    return day_result(session, provider, day)


def reopen(
    session: Session, *, provider: str, day: date, reason: str, by: User, now: datetime
) -> DayResult:
    """Unlock a signed-off day, saying why: the result is live again, the notes stay."""
    result = _day_or_raise(session, provider, day)
    record = result.record
    assert record is not None
    reason = _text(reason)
    _move(record, REOPEN)
    signed = (
        f"signed off {record.signed_off_at:%Y-%m-%d %H:%M} UTC by user {record.signed_off_by_id}"
    )
    record.signed_off_at, record.signed_off_by_id = None, None
    thaw(session, record)
    session.flush()
    record_step(
        session,
        provider=provider,
        day=day,
        action="reconciliation_reopen",
        by=by,
        now=now,
        detail=f"{reason} (was {signed})",
    )
    return day_result(session, provider, day)
