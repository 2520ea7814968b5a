"""Alarms on the sample site's real devices, raised through the service as a rule would."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub.context import HubContext
from hub.domain import Severity
from hub.services.alert_views import alert_view
from hub.services.alerts import AlertRequest, raise_alert
from hub.storage.models import Building, Device


def raise_on(
    context: HubContext,
    device_code: str,
    *,
    severity: Severity = Severity.CRITICAL,
    title: str = "漏水 Water leak",
    rule_id: str = "leak",
) -> dict[str, Any]:
    """Raise (and commit) `rule_id`'s alarm for the device, as the rules engine does."""
    with context.db.session() as session:
        device = session.scalars(select(Device).where(Device.code == device_code)).one()
        alert, _ = raise_alert(
            session,
            AlertRequest(
                site_id=device.site_id,
                rule_id=rule_id,
                dedup_key=f"{device_code}/{rule_id}",
                severity=severity,
                title=title,
                reason=f"{rule_id} on {device_code}",
                location=device.location,
                device_id=device.id,
            ),
            now=context.clock.now(),
        )
        return alert_view(alert)


def building_id(context: HubContext, code: str) -> int:
    with context.db.session() as session:
        return session.scalars(select(Building.id).where(Building.code == code)).one()
