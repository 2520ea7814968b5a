"""A hand-made set of work orders whose analysis figures are worked out on paper in
tests/api/test_service_analysis_api.py: 12 orders of the sample estate in October and November
2026 (two categories, two technicians), plus orders the filters must leave out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.context import HubContext
from hub.domain import Priority, Role, WorkOrderSource, WorkOrderStatus
from hub.services.users import create_user
from hub.storage.models import Building, Device, Home, Site, User, WorkOrder
from tests.support.sites import OTHER_SITE, load_other_site

SAMPLE_SITE_CODE = "green-garden"
SECOND_TECHNICIAN = "tech2"
ANALYSIS_NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # the tests' clock
C, S, X = WorkOrderStatus.COMPLETED, WorkOrderStatus.SUBMITTED, WorkOrderStatus.CANCELLED
K = WorkOrderStatus.CONFIRMED


@dataclass(frozen=True)
class Seeded:
    """One order: `steps` are the minutes to accept, assign, arrive, complete, confirm."""

    name: str
    category: str
    place: str  # "B1/101" a home, else a device code
    technician: str | None
    created: str  # UTC, "MM-DD HH:MM" of 2026
    steps: tuple[int, ...]
    rating: tuple[int, int] | None
    status: WorkOrderStatus = K
    site: str = SAMPLE_SITE_CODE


ORDERS = (
    Seeded("O1", "plumbing", "B1/101", "tech", "10-02 02:00", (10, 20, 30, 60, 120), (5, 4)),
    Seeded("O2", "plumbing", "B1/101", "tech", "10-20 02:00", (20, 10, 40, 90, 60), (4, 3)),
    Seeded("O3", "electrical", "B1/102", "tech2", "10-05 02:00", (40, 30, 20, 30, 240), (3, 3)),
    Seeded("O4", "electrical", "B2/201", "tech2", "10-10 02:00", (5, 5, 60, 120, 30), (5, 5)),
    Seeded("O5", "plumbing", "B2/201", "tech", "10-15 02:00", (30, 15, 25, 45, 90), (2, 1)),
    Seeded("O6", "electrical", "pump-1", "tech2", "10-25 02:00", (15, 10, 35, 50), None, C),
    # 10-31 17:00 UTC is 11-01 01:00 in Shanghai: a November order
    Seeded("O7", "plumbing", "B1/101", "tech", "10-31 17:00", (25, 20, 30, 60, 180), (4, 4)),
    Seeded("O8", "electrical", "pump-1", "tech2", "11-03 02:00", (50, 10, 45, 100, 60), (1, 2)),
    Seeded("O9", "electrical", "B1/102", "tech", "11-05 02:00", (10, 5, 20, 40, 120), (5, 5)),
    Seeded("O10", "plumbing", "B1/102", "tech2", "11-06 02:00", (35, 25, 50, 70), None, C),
    Seeded("O11", "electrical", "smoke-b2-hall", None, "11-08 02:00", (), None, S),
    Seeded("O12", "electrical", "gate-north", None, "11-10 01:45", (), None, S),
    # left out: cancelled, before the period, another estate
    Seeded("cancelled", "plumbing", "B1/101", "tech", "11-02 02:00", (5,), None, X),
    Seeded("september", "plumbing", "B1/101", "tech", "09-15 02:00", (5, 5, 5, 5, 5), (5, 5)),
    Seeded("silver", "plumbing", "B1/101", None, "10-12 02:00", (10,), (1, 1), K, site=OTHER_SITE),
)
STAMPS = ("accepted_at", "assigned_at", "arrived_at", "completed_at", "confirmed_at")


def seed_analysis_orders(context: HubContext) -> dict[str, int]:
    """The orders above in the database (and the second estate, and a second technician);
    returns each order's id by name."""
    load_other_site(context)
    ids: dict[str, int] = {}
    with context.db.session() as session:
        create_user(
            session,
            username=SECOND_TECHNICIAN,
            full_name="维修工二 Technician 2",
            role=Role.TECHNICIAN,
            now=context.clock.now(),
        )
        for seeded in ORDERS:
            order = _order(session, seeded)
            session.add(order)
            session.flush()
            ids[seeded.name] = order.id
    return ids


def _order(session: Session, seeded: Seeded) -> WorkOrder:
    site_id = session.scalars(select(Site.id).where(Site.code == seeded.site)).one()
    at = datetime.strptime(f"2026-{seeded.created}", "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    order = WorkOrder(
        site_id=site_id,
        source=WorkOrderSource.OWNER,
        category=seeded.category,
        priority=Priority.NORMAL,
        title=f"{seeded.name} {seeded.category}",
        status=seeded.status,
        created_at=at,
    )
    if "/" in seeded.place:
        building, home = seeded.place.split("/")
        order.home_id = session.scalars(
            select(Home.id)
            .join(Building, Home.building_id == Building.id)
            .where(Building.site_id == site_id, Building.code == building, Home.code == home)
        ).one()
    else:
        order.device_id = session.scalars(
            select(Device.id).where(Device.site_id == site_id, Device.code == seeded.place)
        ).one()
    if seeded.technician:
        order.assigned_to_id = session.scalars(
            select(User.id).where(User.username == seeded.technician)
        ).one()
    for stamp, minutes in zip(STAMPS, seeded.steps, strict=False):
        at += timedelta(minutes=minutes)
        setattr(order, stamp, at)
    if seeded.rating:
        order.rating_attitude, order.rating_quality = seeded.rating
    return order
