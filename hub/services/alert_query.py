"""The control room's alarm list: what is waiting for a person, worst first, filtered.

Sorted by severity (critical, major, minor, warning) and then newest first, so the alarm to
handle next is always on top. The default view is "open": active alarms and the ones that
cleared by themselves before anyone acknowledged them (a leak that dried up still needs a look).
Alarms suppressed behind a silent gateway stay out of the working views: the gateway's one
incident stands for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Select, case, or_, select
from sqlalchemy.orm import Session

from hub.domain import (
    OPEN_ALERT_STATES,
    UNACKNOWLEDGED_ALERT_STATES,
    AlertState,
    DeviceKind,
    Severity,
)
from hub.storage.models import Alert, Device

SEVERITY_ORDER = (Severity.CRITICAL, Severity.MAJOR, Severity.MINOR, Severity.WARNING)


class AlertView(StrEnum):
    """Which alarms a list shows, by where they are in their life."""

    OPEN = "open"  # waiting for a person: active, or cleared but not acknowledged
    UNACKNOWLEDGED = "unacknowledged"
    ACTIVE_UNACKNOWLEDGED = "active_unacknowledged"
    ACTIVE_ACKNOWLEDGED = "active_acknowledged"
    CLEARED_UNACKNOWLEDGED = "cleared_unacknowledged"
    CLOSED = "closed"  # cleared and acknowledged, or closed by a person
    ALL = "all"


_STATES: dict[AlertView, tuple[AlertState, ...]] = {
    AlertView.OPEN: OPEN_ALERT_STATES,
    AlertView.UNACKNOWLEDGED: UNACKNOWLEDGED_ALERT_STATES,
    AlertView.ACTIVE_UNACKNOWLEDGED: (AlertState.ACTIVE_UNACKNOWLEDGED,),
    AlertView.ACTIVE_ACKNOWLEDGED: (AlertState.ACTIVE_ACKNOWLEDGED,),
    AlertView.CLEARED_UNACKNOWLEDGED: (AlertState.CLEARED_UNACKNOWLEDGED,),
    AlertView.CLOSED: (AlertState.CLEARED_ACKNOWLEDGED,),
    AlertView.ALL: tuple(AlertState),
}
_WITH_SUPPRESSED = frozenset({AlertView.CLOSED, AlertView.ALL})  # the record, not the work


@dataclass(frozen=True)
class AlertQuery:
    view: AlertView = AlertView.OPEN
    site_id: int | None = None
    building_id: int | None = None
    device_id: int | None = None
    severities: Sequence[Severity] = ()
    device_kinds: Sequence[DeviceKind] = ()
    text: str = ""  # in the title, the location or the device's name
    limit: int = 500


def list_alerts(session: Session, query: AlertQuery = AlertQuery()) -> list[Alert]:
    """Worst first, then newest first."""
    return list(session.scalars(_select(query)).unique())


def _select(query: AlertQuery) -> Select[Alert]:
    rank = case({s: i for i, s in enumerate(SEVERITY_ORDER)}, value=Alert.severity)
    found = (
        select(Alert)
        .where(Alert.state.in_(_STATES[query.view]))
        .order_by(rank, Alert.raised_at.desc(), Alert.id.desc())
        .limit(query.limit)
    )
    if query.view not in _WITH_SUPPRESSED:
        found = found.where(Alert.suppressed_by_id.is_(None))
    if query.site_id is not None:
        found = found.where(Alert.site_id == query.site_id)
    if query.device_id is not None:
        found = found.where(Alert.device_id == query.device_id)
    if query.severities:
        found = found.where(Alert.severity.in_(query.severities))
    devices = _device_ids(query)
    if devices is not None:
        found = found.where(Alert.device_id.in_(devices))
    if query.text.strip():
        pattern = "%" + _escape(query.text.strip()) + "%"
        named = select(Device.id).where(Device.name.ilike(pattern, escape="\\"))
        found = found.where(
            or_(
                Alert.title.ilike(pattern, escape="\\"),
                Alert.location.ilike(pattern, escape="\\"),
                Alert.device_id.in_(named),
            )
        )
    return found


def _device_ids(query: AlertQuery) -> Select[int] | None:
    """The devices the building and kind filters leave, or None when neither is set."""
    if query.building_id is None and not query.device_kinds:
        return None
    devices = select(Device.id)
    if query.building_id is not None:
        devices = devices.where(Device.building_id == query.building_id)
    if query.device_kinds:
        devices = devices.where(Device.kind.in_(query.device_kinds))
    return devices


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
