"""A hand-made set of complaints whose figures by department are worked out on paper in
tests/api/test_complaint_figures_api.py: six of the sample estate in October and November 2026,
plus one of another estate and one before the period (the clock at 2026-11-10 02:00 UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from hub.complaint_states import ComplaintChannel, ComplaintKind, ComplaintStatus, Department
from hub.context import HubContext
from hub.storage.models import Building, Complaint, Home, Site
from tests.support.analysis_orders import SAMPLE_SITE_CODE
from tests.support.sites import OTHER_SITE

Kind, Status, Dept = ComplaintKind, ComplaintStatus, Department


@dataclass(frozen=True)
class SeededComplaint:
    """One complaint: `reviewed` and `contacted` are minutes after the recording (None: not
    yet); `suggested` what the routes chose, `department` what customer service assigned."""

    name: str
    kind: ComplaintKind
    status: ComplaintStatus
    recorded: str  # UTC, "MM-DD HH:MM" of 2026
    reviewed: int | None
    contacted: int | None
    suggested: Department | None
    department: Department | None = None
    reopened: int = 0
    satisfaction: int | None = None  # the owner's 1-5 on closing
    site: str = SAMPLE_SITE_CODE


COMPLAINTS = (
    SeededComplaint(
        "P1",
        Kind.SANITATION,
        Status.CLOSED,
        "10-03 02:00",
        30,
        300,
        Dept.CLEANING,
        Dept.CLEANING,
        satisfaction=4,
    ),
    SeededComplaint(
        "P2",
        Kind.SANITATION,
        Status.HANDLED,
        "10-08 02:00",
        90,
        1800,
        Dept.CLEANING,
        Dept.CLEANING,
        reopened=1,
    ),
    SeededComplaint(
        "P3",
        Kind.SERVICE_COMPLAINT,
        Status.CLOSED,
        "10-12 02:00",
        10,
        120,
        Dept.CUSTOMER_SERVICE,
        Dept.CUSTOMER_SERVICE,
        satisfaction=3,
    ),
    SeededComplaint("P4", Kind.OTHER, Status.RECORDED, "11-10 01:30", None, None, Dept.LANDSCAPING),
    SeededComplaint(
        "P5", Kind.OTHER, Status.OUT_OF_SCOPE, "10-20 02:00", 20, None, Dept.CUSTOMER_SERVICE
    ),
    SeededComplaint("P6", Kind.SUGGESTION, Status.RECORDED, "11-02 02:00", None, None, None),
    # left out: another estate, before the period
    SeededComplaint(
        "silver",
        Kind.OTHER,
        Status.RECORDED,
        "10-15 02:00",
        None,
        None,
        Dept.CUSTOMER_SERVICE,
        site=OTHER_SITE,
    ),
    SeededComplaint(
        "september", Kind.OTHER, Status.RECORDED, "09-20 02:00", None, None, Dept.CUSTOMER_SERVICE
    ),
)


def _at(minutes: int | None, start: datetime) -> datetime | None:
    return None if minutes is None else start + timedelta(minutes=minutes)


def seed_analysis_complaints(context: HubContext) -> None:
    """The complaints above in the database (the other estate must be loaded already)."""
    with context.db.session() as session:
        for seeded in COMPLAINTS:
            site_id = session.scalars(select(Site.id).where(Site.code == seeded.site)).one()
            home_id = session.scalars(
                select(Home.id)
                .join(Building, Home.building_id == Building.id)
                .where(Building.site_id == site_id)
                .order_by(Home.id)
                .limit(1)
            ).one()
            start = datetime.strptime(f"2026-{seeded.recorded}", "%Y-%m-%d %H:%M")
            start = start.replace(tzinfo=UTC)
            closed = seeded.status in (Status.CLOSED, Status.OUT_OF_SCOPE)
            session.add(
                Complaint(
                    site_id=site_id,
                    home_id=home_id,
                    channel=ComplaintChannel.APP,
                    kind=seeded.kind,
                    description=f"{seeded.name} complaint",
                    suggested_department=seeded.suggested,
                    department=seeded.department,
                    status=seeded.status,
                    recorded_at=start,
                    reviewed_at=_at(seeded.reviewed, start),
                    contacted_at=_at(seeded.contacted, start),
                    closed_at=_at(2 * 24 * 60, start) if closed else None,
                    reopen_count=seeded.reopened,
                    satisfaction=seeded.satisfaction,
                )
            )
