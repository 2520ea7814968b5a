"""The complaints' figures of the analysis: how many per department and per 100 homes, and how
often each limit of the SLA file was met, and how satisfied owners said they were on closing
(issue 12).

A complaint belongs to the period when it was recorded in [since, until); its department is
the one assigned, else the one the routes suggested ("unrouted" for older ones without).
Out-of-scope complaints count, but their contact limit is not judged: nobody is to call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.complaint_states import ComplaintStatus, Department
from hub.services import sla_policy
from hub.services.complaint_limits import ComplaintLimits, Deadline, complaint_deadlines
from hub.services.service_analysis.judging import SlaMet, judge
from hub.services.service_analysis.stats import AVERAGE_PLACES, average, rounded
from hub.storage.models import Complaint

UNROUTED = "unrouted"


@dataclass(frozen=True)
class DepartmentFigures:
    department: str  # a Department's value, or "unrouted"
    complaints: int
    review: SlaMet
    contact: SlaMet
    reopened: int  # complaints the owner sent back at least once
    rated: int  # closed with the owner's satisfaction (1-5)
    satisfaction: float | None  # their mean


@dataclass(frozen=True)
class ComplaintFigures:
    complaints: int
    per_100_homes: float | None
    review: SlaMet
    contact: SlaMet
    reopened: int
    by_department: list[DepartmentFigures]  # every department, in the enum's order


@dataclass(frozen=True)
class _Judged:
    department: str
    review: Deadline
    contact: Deadline | None  # None: out of scope, nobody to contact
    reopened: bool
    satisfaction: int | None


def complaint_figures(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    site_id: int | None,
    homes: int,
    now: datetime,
) -> ComplaintFigures:
    """The period's complaints of one estate (or all), judged by the SLA file's limits."""
    query = select(Complaint).where(Complaint.recorded_at >= since, Complaint.recorded_at < until)
    if site_id is not None:
        query = query.where(Complaint.site_id == site_id)
    policy = sla_policy.current().complaints
    judged = [
        _judge(complaint, policy.limits_for(complaint.kind), now)
        for complaint in session.scalars(query).unique()
    ]
    grouped: dict[str, list[_Judged]] = defaultdict(list)
    for one in judged:
        grouped[one.department].append(one)
    departments = [d.value for d in Department] + ([UNROUTED] if grouped[UNROUTED] else [])
    whole = _figures("", judged)
    return ComplaintFigures(
        complaints=whole.complaints,
        per_100_homes=rounded(100 * len(judged), homes, AVERAGE_PLACES),
        review=whole.review,
        contact=whole.contact,
        reopened=whole.reopened,
        by_department=[_figures(d, grouped[d]) for d in departments],
    )


def _judge(complaint: Complaint, limits: ComplaintLimits, now: datetime) -> _Judged:
    review, contact = complaint_deadlines(complaint, limits, now)
    department = complaint.department or complaint.suggested_department
    return _Judged(
        department=department.value if department else UNROUTED,
        review=review,
        contact=None if complaint.status is ComplaintStatus.OUT_OF_SCOPE else contact,
        reopened=complaint.reopen_count > 0,
        satisfaction=complaint.satisfaction,
    )


def _figures(department: str, judged: Sequence[_Judged]) -> DepartmentFigures:
    scores = [j.satisfaction for j in judged if j.satisfaction is not None]
    return DepartmentFigures(
        department=department,
        complaints=len(judged),
        review=judge((j.review.done_at is not None, j.review.breached) for j in judged),
        contact=judge(
            (j.contact.done_at is not None, j.contact.breached)
            for j in judged
            if j.contact is not None
        ),
        reopened=sum(j.reopened for j in judged),
        rated=len(scores),
        satisfaction=average(scores),
    )
