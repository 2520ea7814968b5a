"""Apply rule actions through the alert and work-order services, in the caller's transaction.

The services' dedup keys do the heavy lifting: a sensor that repeats itself keeps one open work
order and one active alert (whose `occurrences` counts the repeats). When a rule fires both, the
alert links to the work order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from hub.services import alerts, work_orders
from hub.services.alerts import AlertRequest
from hub.services.work_orders import WorkOrderRequest
from rules.actions import Action, OpenWorkOrder, RaiseAlert


@dataclass
class Applied:
    """What applying a list of actions changed (new rows, not repeats)."""

    work_orders_opened: int = 0
    alerts_raised: int = 0
    alerts_repeated: int = 0
    alerts_cleared: int = 0


def apply_actions(session: Session, actions: Sequence[Action], *, now: datetime) -> Applied:
    applied = Applied()
    orders: dict[str, int] = {}  # dedup key -> work order id, to link the rule's alert
    for action in actions:
        if isinstance(action, OpenWorkOrder):
            order, new = work_orders.open_work_order(session, _work_order(action), now=now)
            orders[action.dedup_key] = order.id
            applied.work_orders_opened += new
        elif isinstance(action, RaiseAlert):
            order_id = orders.get(action.dedup_key)
            alert, new = alerts.raise_alert(session, _alert(action, order_id), now=now)
            if alert.work_order_id is None and order_id is not None:
                alert.work_order_id = order_id  # the order came after the alert was first raised
            applied.alerts_raised += new
            applied.alerts_repeated += not new
        elif alerts.clear(session, action.dedup_key, now=now) is not None:  # ClearAlert
            applied.alerts_cleared += 1
    return applied


def _work_order(action: OpenWorkOrder) -> WorkOrderRequest:
    return WorkOrderRequest(
        site_id=action.site_id,
        category=action.category,
        priority=action.priority,
        title=action.title,
        description=action.reason,
        location=action.location,
        dedup_key=action.dedup_key,
        rule_id=action.rule_id,
        device_id=action.device_id,
        home_id=action.home_id,
        reading_id=action.reading_id,
    )


def _alert(action: RaiseAlert, work_order_id: int | None) -> AlertRequest:
    return AlertRequest(
        site_id=action.site_id,
        rule_id=action.rule_id,
        dedup_key=action.dedup_key,
        severity=action.severity,
        title=action.title,
        reason=action.reason,
        location=action.location,
        device_id=action.device_id,
        reading_id=action.reading_id,
        work_order_id=work_order_id,
    )
