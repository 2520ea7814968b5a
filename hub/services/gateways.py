"""Edge gateways: one silent gateway is one incident, not an offline alarm per device behind it.

When the offline rule fires for a gateway device, `gateway_down` raises one "网关离线 Gateway
offline" incident and marks the same rule's active alarms of the devices behind it as
suppressed by it (they stay as rows for the record, hidden from the active list); while the
incident is active, that rule's alarms for those devices are raised suppressed and open no work
order. When the gateway is heard again, `gateway_up` clears them all together.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import events
from hub.domain import ACTIVE_ALERT_STATES, DeviceKind, Severity
from hub.services import alerts
from hub.services.alert_views import alert_view
from hub.services.alerts import AlertRequest
from hub.storage.models import Alert, Device

INCIDENT_TITLE = "网关离线 Gateway offline"


def is_gateway(device: Device) -> bool:
    return device.kind is DeviceKind.GATEWAY


def gateway_down(
    session: Session, gateway: Device, *, rule_id: str, dedup_key: str, reason: str, now: datetime
) -> tuple[Alert, bool]:
    """Raise the gateway's incident and suppress the rule's alarms of the devices behind it."""
    incident, new = alerts.raise_alert(
        session,
        AlertRequest(
            site_id=gateway.site_id,
            rule_id=rule_id,
            dedup_key=dedup_key,
            severity=Severity.MAJOR,
            title=f"{INCIDENT_TITLE}: {gateway.name}",
            reason=reason,
            location=gateway.location,
            device_id=gateway.id,
        ),
        now=now,
    )
    behind = select(Device.id).where(Device.gateway_id == gateway.id)
    for alert in session.scalars(
        select(Alert).where(
            Alert.device_id.in_(behind),
            Alert.rule_id == rule_id,
            Alert.state.in_(ACTIVE_ALERT_STATES),
            Alert.suppressed_by_id.is_(None),
        )
    ):
        alert.suppressed_by_id = incident.id
        events.emit(session, "alert.updated", alert_view(alert))
    session.flush()
    return incident, new


def suppressing_incident(session: Session, device: Device, rule_id: str) -> Alert | None:
    """The active incident of the device's gateway raised by `rule_id`, if any."""
    if device.gateway_id is None:
        return None
    return session.scalars(
        select(Alert).where(
            Alert.device_id == device.gateway_id,
            Alert.rule_id == rule_id,
            Alert.state.in_(ACTIVE_ALERT_STATES),
        )
    ).one_or_none()


def raise_suppressed(
    session: Session, request: AlertRequest, incident: Alert, *, now: datetime
) -> Alert:
    """Raise (or repeat) a device's alarm as suppressed by its gateway's incident."""
    alert, _ = alerts.raise_alert(session, request, now=now)
    alert.suppressed_by_id = incident.id
    session.flush()
    return alert


def gateway_up(session: Session, incident: Alert, *, now: datetime) -> list[Alert]:
    """The gateway is back: every alarm its incident suppressed clears with it."""
    suppressed = session.scalars(
        select(Alert).where(
            Alert.suppressed_by_id == incident.id, Alert.state.in_(ACTIVE_ALERT_STATES)
        )
    )
    return [alerts.clear_alert(session, alert, now=now) for alert in list(suppressed)]
