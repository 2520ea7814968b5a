"""Hand-made failures of the sample estate's equipment in October and November 2026 (Shanghai
time); tests/services/test_asset_analytics.py works their figures out on paper.

EL-B1-1: E Oct 20 08:00-10:00; A Nov 5 08:00-12:00 (4 h), B 10:00-20:00 (10 h) and C
11:00-13:00 (2 h, overlapping both); D Nov 20 08:00-14:00 (6 h); a cancelled one Nov 25.
EL-B2-1: F Oct 31 20:00 - Nov 1 04:00; G opened Nov 28 16:00, still open.
WP-1: H Nov 14 00:00 - Nov 17 00:00; the pump is retired on Nov 16 00:00.
Silver Court's EL-B1-1: one order on Nov 10, never counted for Green Garden.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.context import HubContext
from hub.domain import AssetStatus, Priority, WorkOrderSource, WorkOrderStatus
from hub.services import assets
from hub.storage.models import Asset, Device, Reading, Site, WorkOrder
from tests.support.sites import OTHER_SITE, load_other_site

SHANGHAI = ZoneInfo("Asia/Shanghai")
SAMPLE = "green-garden"
# name, estate, asset, opened, completed (None: open), cancelled; "MM-DD HH" local 2026
ORDERS = (
    ("E", SAMPLE, "EL-B1-1", "10-20 08", "10-20 10", False),
    ("A", SAMPLE, "EL-B1-1", "11-05 08", "11-05 12", False),
    ("B", SAMPLE, "EL-B1-1", "11-05 10", "11-05 20", False),
    ("C", SAMPLE, "EL-B1-1", "11-05 11", "11-05 13", False),
    ("D", SAMPLE, "EL-B1-1", "11-20 08", "11-20 14", False),
    ("cancelled", SAMPLE, "EL-B1-1", "11-25 08", None, True),
    ("F", SAMPLE, "EL-B2-1", "10-31 20", "11-01 04", False),
    ("G", SAMPLE, "EL-B2-1", "11-28 16", None, False),
    ("H", SAMPLE, "WP-1", "11-14 00", "11-17 00", False),
    ("silver", OTHER_SITE, "EL-B1-1", "11-10 08", "11-10 20", False),
)
RETIRED_AT = "11-16 00"


def local(stamp: str) -> datetime:
    """ "MM-DD HH" of 2026 in Shanghai."""
    return datetime.strptime(f"2026-{stamp}", "%Y-%m-%d %H").replace(tzinfo=SHANGHAI)


def asset_of(session: Session, estate: str, code: str) -> Asset:
    return session.scalars(
        select(Asset)
        .join(Site, Site.id == Asset.site_id)
        .where(Site.code == estate, Asset.code == code)
    ).one()


def seed_asset_failures(context: HubContext) -> None:
    """The orders above, the second estate, and WP-1 retired mid-November."""
    load_other_site(context)
    with context.db.session() as session:
        for name, estate, code, opened, completed, cancelled in ORDERS:
            asset = asset_of(session, estate, code)
            status = WorkOrderStatus.COMPLETED if completed else WorkOrderStatus.IN_PROGRESS
            session.add(
                WorkOrder(
                    site_id=asset.site_id,
                    source=WorkOrderSource.STAFF,
                    category="device",
                    priority=Priority.NORMAL,
                    title=f"{name} {code}",
                    status=WorkOrderStatus.CANCELLED if cancelled else status,
                    asset_id=asset.id,
                    created_at=local(opened),
                    completed_at=local(completed) if completed else None,
                )
            )
        pump = asset_of(session, SAMPLE, "WP-1")
        assets.update(
            session, pump, {"status": AssetStatus.RETIRED}, by=None, now=local(RETIRED_AT)
        )


def asset_device(session: Session, code: str) -> int:
    """The sample estate's device of `code`."""
    return session.scalars(
        select(Device.id)
        .join(Site, Site.id == Device.site_id)
        .where(Site.code == SAMPLE, Device.code == code)
    ).one()


def report_readings(
    session: Session, device: str, metric: str, values: list[tuple[str, int]]
) -> None:
    """Readings of one metric: ("MM-DD HH" Shanghai, value)."""
    device_id = asset_device(session, device)
    for stamp, value in values:
        at = local(stamp)
        session.add(
            Reading(
                device_id=device_id,
                metric=metric,
                ts=at,
                value=Decimal(value),
                source="mqtt",
                received_at=at,
            )
        )
