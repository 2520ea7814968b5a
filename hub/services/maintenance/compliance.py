"""PM compliance (保养完成率) per asset: of the tasks due in a period, how many were done by
their due time. Cancelled tasks are not counted; a task done late counts as due, not on time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import MaintenanceTaskStatus
from hub.errors import BadRange
from hub.storage.models import MaintenanceTask


@dataclass(frozen=True)
class Compliance:
    asset_id: int
    due: int  # tasks due in the period, cancelled ones left out
    on_time: int  # done by their due_by
    late: int  # done after their due_by
    not_done: int  # still open (or never done)

    @property
    def rate(self) -> Decimal | None:
        """on_time / due as a percentage with one decimal; None when nothing was due."""
        if not self.due:
            return None
        share = Decimal(100 * self.on_time) / Decimal(self.due)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def pm_compliance(
    session: Session, site_id: int, start: datetime, end: datetime
) -> dict[int, Compliance]:
    """Per asset id, the tasks of the estate with due_by in [start, end)."""
    if start >= end:
        raise BadRange()
    rows = session.execute(
        select(MaintenanceTask.asset_id, MaintenanceTask.due_by, MaintenanceTask.done_at).where(
            MaintenanceTask.site_id == site_id,
            MaintenanceTask.due_by >= start,
            MaintenanceTask.due_by < end,
            MaintenanceTask.status != MaintenanceTaskStatus.CANCELLED,
        )
    ).all()
    counts: dict[int, list[int]] = {}
    for asset_id, due_by, done_at in rows:
        tally = counts.setdefault(asset_id, [0, 0, 0])
        if done_at is None:
            tally[2] += 1
        elif done_at <= due_by:
            tally[0] += 1
        else:
            tally[1] += 1
    return {
        asset_id: Compliance(asset_id, sum(t), t[0], t[1], t[2])
        for asset_id, t in sorted(counts.items())
    }
