"""Who may see each live-feed event: exactly those who could read the same object over REST.

The feed is a second way to read alerts, work orders and scans, so it must not show anyone more
than `GET` would. Each event kind has one rule here, asked per subscriber and per event with the
subscriber's current account; the role sets name the REST route whose `require_role` they mirror,
and object rules call the same service check that route calls (an owner's homes, a technician's
assignments, a guard's own scans). A kind without a rule reaches nobody: a new event stays dark
until someone decides who may see it (tests/api/test_live_visibility.py checks both the table and
REST agreement).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from hub.domain import Role
from hub.errors import NotFound
from hub.services import complaints, patrol, work_orders
from hub.storage.models import User

log = logging.getLogger(__name__)

Rule = Callable[[Session, User, Mapping[str, Any]], bool]

ALERT_READERS = frozenset({Role.OPERATOR, Role.ADMIN, Role.GUARD})  # GET /alerts
SCAN_READERS = frozenset({Role.OPERATOR, Role.ADMIN, Role.GUARD})  # GET /patrol/scans
DEVICE_READERS = frozenset({Role.OPERATOR, Role.ADMIN})  # GET /devices/{id}
WORK_ORDER_READERS = frozenset(  # GET /work-orders/{id}
    {Role.ADMIN, Role.OPERATOR, Role.CUSTOMER_SERVICE, Role.TECHNICIAN, Role.OWNER}
)
COMPLAINT_READERS = frozenset(  # GET /complaints/{id}
    {Role.ADMIN, Role.CUSTOMER_SERVICE, Role.OWNER}
)


def _object_id(data: Mapping[str, Any]) -> int | None:
    """The event's object id; None if a NOTIFY too large to fit lost it (then nobody gets it)."""
    value = data.get("id")
    return value if isinstance(value, int) else None


def _alert(session: Session, user: User, data: Mapping[str, Any]) -> bool:
    return user.role in ALERT_READERS


def _device(session: Session, user: User, data: Mapping[str, Any]) -> bool:
    return user.role in DEVICE_READERS and _object_id(data) is not None


def _readable(
    readers: frozenset[Role], get_or_raise: Callable[[Session, int, User], object]
) -> Rule:
    """A rule for an object read through `get_or_raise` (NotFound: not theirs), as REST does."""

    def rule(session: Session, user: User, data: Mapping[str, Any]) -> bool:
        object_id = _object_id(data)
        if user.role not in readers or object_id is None:
            return False
        try:
            get_or_raise(session, object_id, user)
        except NotFound:
            return False
        return True

    return rule


_work_order = _readable(WORK_ORDER_READERS, work_orders.get_visible_or_raise)
_complaint = _readable(COMPLAINT_READERS, complaints.get_visible_or_raise)


def _patrol_scan(session: Session, user: User, data: Mapping[str, Any]) -> bool:
    scan_id = _object_id(data)
    if user.role not in SCAN_READERS or scan_id is None:
        return False
    return patrol.scan_visible(session, scan_id, user)


RULES: Mapping[str, Rule] = {
    "alert.raised": _alert,
    "alert.updated": _alert,
    "work_order.opened": _work_order,
    "work_order.updated": _work_order,
    "complaint.recorded": _complaint,
    "complaint.updated": _complaint,
    "patrol.scan": _patrol_scan,
    "device.updated": _device,
}

# Roles with something to read on the feed; the others are refused at connect (4403).
LIVE_ROLES = ALERT_READERS | SCAN_READERS | WORK_ORDER_READERS | DEVICE_READERS | COMPLAINT_READERS


def may_see(session: Session, user: User, kind: str, data: Mapping[str, Any]) -> bool:
    """Whether `user` may receive this event; unknown kinds are dropped, never broadcast."""
    rule = RULES.get(kind)
    if rule is None:
        log.warning("live event kind %r has no visibility rule: sent to nobody", kind)
        return False
    return rule(session, user, data)


def may_see_alerts(user: User) -> bool:
    """Whether the snapshot on connect (and after a resync) carries the active alerts."""
    return user.role in ALERT_READERS
