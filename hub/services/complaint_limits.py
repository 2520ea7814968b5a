"""The complaint flow's two time limits and how a deadline is judged.

物业网络化制度 三2: customer service reviews a complaint within 1 hour of its recording, and the
department contacts the owner within 24 hours. Both run from `recorded_at`; the SLA file's
`complaints:` section (`complaint_policy`) sets them per kind, these are the seeds' defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.storage.models import Complaint


@dataclass(frozen=True)
class ComplaintLimits:
    review_within: timedelta = timedelta(hours=1)
    contact_within: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class Deadline:
    """One limit of one complaint: due when, met when (None while open), and breached."""

    due: datetime
    done_at: datetime | None
    breached: bool


def deadline(
    start: datetime, within: timedelta, done_at: datetime | None, now: datetime
) -> Deadline:
    """Breached once the step came (or, still open, `now` is) after the due time."""
    due = start + within
    return Deadline(due=due, done_at=done_at, breached=(done_at or now) > due)


def complaint_deadlines(
    complaint: Complaint, limits: ComplaintLimits, now: datetime
) -> tuple[Deadline, Deadline]:
    """Its review and contact deadlines; a closed complaint's clocks stopped when it closed."""
    start, until = complaint.recorded_at, complaint.closed_at or now
    return (
        deadline(start, limits.review_within, complaint.reviewed_at, until),
        deadline(start, limits.contact_within, complaint.contacted_at, until),
    )
