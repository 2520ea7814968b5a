"""PM compliance per asset, checked by hand: elevator EL-B1-1 has three tasks due in January
(one done on time, one done late, one not done), EL-B2-1 one done on time and one cancelled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from hub.clock import FakeClock
from hub.context import HubContext
from hub.errors import BadRange
from hub.services.maintenance import compliance, tasks
from hub.services.site import LoadResult
from hub.storage.models import MaintenanceTask
from tests.support.maintenance import asset_id, elevators_every_ten_days
from tests.support.work_orders import staff

JAN = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # 1 Jan 2027 00:00 in Shanghai
FEB = datetime(2027, 1, 31, 16, 0, tzinfo=UTC)


def test_compliance_counts_due_on_time_late_and_not_done_per_asset(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    by_key = elevators_every_ten_days(context, clock, site)
    tech = staff(context, "tech")
    el1, el2 = asset_id(context, site, "EL-B1-1"), asset_id(context, site, "EL-B2-1")
    assert len(by_key) == 6

    def finish(task_id: int, at: datetime) -> None:
        clock.set(at)
        with context.db.session() as session:
            tasks.start(session, task_id, by=tech, now=at)
            tasks.complete(session, task_id, [], by=tech, now=at)

    finish(by_key[(el1, 0)], datetime(2027, 1, 2, 3, 0, tzinfo=UTC))  # on time
    finish(by_key[(el1, 1)], datetime(2027, 1, 15, 3, 0, tzinfo=UTC))  # due 13 Jan: late
    finish(by_key[(el2, 0)], datetime(2027, 1, 3, 15, 59, tzinfo=UTC))  # a minute before due
    with context.db.session() as session:
        tasks.cancel(
            session,
            by_key[(el2, 1)],
            reason="停梯改造",
            by=staff(context, "admin"),
            now=clock.now(),
        )
    with context.db.session() as session:
        figures = compliance.pm_compliance(session, site.site_id, JAN, FEB)
        late = session.get(MaintenanceTask, by_key[(el1, 1)])
        assert late is not None and tasks.done_late(late)
    # el2's 21 Jan task is still open and due 24 Jan: due, not done
    assert figures == {
        el1: compliance.Compliance(el1, due=3, on_time=1, late=1, not_done=1),
        el2: compliance.Compliance(el2, due=2, on_time=1, late=0, not_done=1),
    }
    assert figures[el1].rate == Decimal("33.3")
    assert figures[el2].rate == Decimal("50.0")
    with context.db.session() as session:
        assert compliance.pm_compliance(session, site.site_id, FEB, FEB + timedelta(days=1)) == {}
        with pytest.raises(BadRange):
            compliance.pm_compliance(session, site.site_id, FEB, JAN)
