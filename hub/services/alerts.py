"""Control-room alerts: raise (at most one active per dedup key), acknowledge, clear.

A repeat of an active alert updates it (last seen, occurrences) instead of adding a row, so a
sensor that repeats itself every second still shows one alert to the operator. A key that is
raised more than `FLAP_LIMIT` times within `FLAP_WINDOW` is flapping: its next raise opens one
alarm marked flapping that absorbs every further raise and clear (`flap_count`) and clears
only once the condition has stayed clear for a whole window (`settle_flapping`, on a timer).

Each step is written to the alarm's history (`alert_history`), with the person who took it.
A person may close an alarm with a note in any state but closed: an event alarm such as a
denied swipe has no clearing reading to wait for, and closing acknowledges it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub import events
from hub.domain import (
    ACTIVE_ALERT_STATES,
    AlertEventKind,
    AlertState,
    Severity,
    next_alert_state,
)
from hub.errors import InvalidInput, NotFound
from hub.services import alert_history
from hub.services.alert_views import alert_view
from hub.storage.models import Alert, AlertEvent, User

FLAP_LIMIT = 5
FLAP_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class AlertRequest:
    """What a rule (or a service such as patrol) wants raised."""

    site_id: int
    rule_id: str
    dedup_key: str
    severity: Severity
    title: str
    reason: str
    location: str = ""
    device_id: int | None = None
    reading_id: int | None = None
    work_order_id: int | None = None


def find_active(session: Session, dedup_key: str) -> Alert | None:
    return session.scalars(
        select(Alert).where(Alert.dedup_key == dedup_key, Alert.state.in_(ACTIVE_ALERT_STATES))
    ).one_or_none()


def raise_alert(session: Session, request: AlertRequest, *, now: datetime) -> tuple[Alert, bool]:
    """The active alert for the request's dedup key, created if none; True when new."""
    alert, recent = _active_and_recent(session, request.dedup_key, now - FLAP_WINDOW)
    if alert is not None:
        alert.last_seen_at = now
        alert.occurrences += 1
        if alert.quiet_since is not None:  # a flapping alarm's condition is back
            alert.quiet_since = None
            alert.flap_count += 1
        session.flush()
        events.emit(session, "alert.updated", alert_view(alert))
        return alert, False
    alert = Alert(
        site_id=request.site_id,
        device_id=request.device_id,
        rule_id=request.rule_id,
        dedup_key=request.dedup_key,
        severity=request.severity,
        title=request.title,
        reason=request.reason,
        location=request.location,
        state=AlertState.ACTIVE_UNACKNOWLEDGED,
        raised_at=now,
        last_seen_at=now,
        occurrences=1,
        reading_id=request.reading_id,
        work_order_id=request.work_order_id,
        flapping=recent >= FLAP_LIMIT,
        flap_count=recent + 1 if recent >= FLAP_LIMIT else 0,
    )
    session.add(alert)
    session.flush()
    alert_history.record(session, alert, AlertEventKind.RAISED, now=now, note=request.reason)
    events.emit(session, "alert.raised", alert_view(alert))
    return alert, True


def _active_and_recent(
    session: Session, dedup_key: str, since: datetime
) -> tuple[Alert | None, int]:
    """The key's active alert and how many times it was raised since `since`, in one query
    (this is on the path of every new alarm; flapping keeps the recent rows few)."""
    rows = session.scalars(
        select(Alert).where(
            Alert.dedup_key == dedup_key,
            or_(Alert.state.in_(ACTIVE_ALERT_STATES), Alert.raised_at >= since),
        )
    ).all()
    active = next((row for row in rows if row.state in ACTIVE_ALERT_STATES), None)
    return active, sum(row.raised_at >= since for row in rows)


def get_or_raise(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} not found")
    return alert


def acknowledge(session: Session, alert_id: int, *, by: User, now: datetime) -> Alert:
    """Record who acknowledged and when; every open console is told."""
    alert = get_or_raise(session, alert_id)
    alert.state = next_alert_state(alert.state, "acknowledge")
    alert.acknowledged_at = now
    alert.acknowledged_by = by
    alert_history.record(session, alert, AlertEventKind.ACKNOWLEDGED, now=now, by=by)
    events.emit(session, "alert.updated", alert_view(alert))
    return alert


def close(session: Session, alert_id: int, *, note: str, by: User, now: datetime) -> Alert:
    """A person is done with the alarm: it leaves the open list, with their note on record.

    An active alarm counts as cleared by them; a still-true condition raises a new alarm on the
    device's next reading.
    """
    if not note.strip():
        raise InvalidInput("note: say why the alarm is closed")
    alert = get_or_raise(session, alert_id)
    alert.state = next_alert_state(alert.state, "close")
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, by
    if alert.cleared_at is None:
        alert.cleared_at, alert.cleared_by = now, by
    alert.quiet_since = None
    alert_history.record(session, alert, AlertEventKind.CLOSED, now=now, by=by, note=note)
    events.emit(session, "alert.updated", alert_view(alert))
    return alert


def comment(session: Session, alert_id: int, *, note: str, by: User, now: datetime) -> AlertEvent:
    """Add a comment to the alarm's history; consoles showing the alarm are told to reload it."""
    if not note.strip():
        raise InvalidInput("note: write a comment")
    alert = get_or_raise(session, alert_id)
    event = alert_history.record(
        session, alert, AlertEventKind.COMMENTED, now=now, by=by, note=note
    )
    events.emit(session, "alert.updated", alert_view(alert))
    return event


def clear(
    session: Session, dedup_key: str, *, now: datetime, by: User | None = None
) -> Alert | None:
    """Clear the active alert for `dedup_key` (the condition is gone); None if none is active.

    A flapping alarm is not cleared at once: it only notes since when it has been quiet.
    """
    alert = find_active(session, dedup_key)
    if alert is None:
        return None
    if alert.flapping and by is None:
        alert.quiet_since = alert.quiet_since or now
        session.flush()
        return alert
    return _clear(session, alert, now=now, by=by)


def _clear(session: Session, alert: Alert, *, now: datetime, by: User | None) -> Alert:
    alert.state = next_alert_state(alert.state, "clear")
    alert.cleared_at = now
    alert.cleared_by = by
    alert_history.record(session, alert, AlertEventKind.CLEARED, now=now, by=by)
    events.emit(session, "alert.updated", alert_view(alert))
    return alert


def clear_alert(session: Session, alert: Alert, *, now: datetime) -> Alert:
    """Clear one active alert automatically (e.g. its gateway is back), flapping or not."""
    return _clear(session, alert, now=now, by=None)


def settle_flapping(session: Session, *, now: datetime) -> list[Alert]:
    """Clear flapping alarms whose condition has stayed clear for a whole `FLAP_WINDOW`."""
    quiet = session.scalars(
        select(Alert).where(
            Alert.flapping.is_(True),
            Alert.state.in_(ACTIVE_ALERT_STATES),
            Alert.quiet_since <= now - FLAP_WINDOW,
        )
    )
    return [_clear(session, alert, now=now, by=None) for alert in list(quiet)]
