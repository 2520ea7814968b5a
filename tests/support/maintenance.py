"""Maintenance plans for tests: a plan on the sample estate, a technician on duty all day, a
dispatcher-like pass (generation, reminders, escalation in their own transactions)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import delete, select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services import assets
from hub.services.maintenance import generate, plans, reminders
from hub.services.site import LoadResult
from hub.storage.models import DutyShift, MaintenancePlan, MaintenanceTask, User


def asset_id(context: HubContext, site: LoadResult, code: str) -> int:
    with context.db.session() as session:
        found = assets.by_code(session, site.site_id, code)
        assert found is not None
        return found.id


def make_plan(context: HubContext, clock: FakeClock, site: LoadResult, **fields: Any) -> int:
    """A plan of the sample estate (category `elevator` unless named); its id."""
    fields.setdefault("category", "elevator")
    fields.setdefault("name", fields["code"])
    with context.db.session() as session:
        plan = plans.create(
            session,
            site_id=site.site_id,
            data=plans.PlanData.model_validate(fields),
            by=None,
            now=clock.now(),
        )
        return plan.id


def on_duty_all_day(context: HubContext, site: LoadResult, category: str, username: str) -> None:
    with context.db.session() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        session.add(
            DutyShift(
                site_id=site.site_id,
                user_id=user.id,
                category=category,
                starts=time(0),
                ends=time(23, 59),
            )
        )


def dispatcher_pass(context: HubContext, clock: FakeClock) -> tuple[int, int, int]:
    """(tasks made, reminded, escalated) by one pass at the clock's now."""
    now = clock.now()
    with context.db.session() as session:
        made = len(generate.generate(session, now=now))
    with context.db.session() as session:
        told = len(reminders.remind(session, now=now))
    with context.db.session() as session:
        late = len(reminders.escalate(session, now=now))
    return made, told, late


def without_sample_plans(context: HubContext) -> None:
    """The sample estate's own plans removed, so a test counts only the tasks of its plans."""
    with context.db.session() as session:
        session.execute(delete(MaintenancePlan))


def elevators_every_ten_days(
    context: HubContext, clock: FakeClock, site: LoadResult
) -> dict[tuple[int, int], int]:
    """A plan for every elevator every 10 days from 1 Jan 2027 (window 3 days, `tech` on duty
    all day), its passes on 1, 11 and 21 Jan: task ids by (asset id, sequence)."""
    on_duty_all_day(context, site, "elevator", "tech")
    make_plan(
        context,
        clock,
        site,
        code="EL-10D",
        asset_class="elevator",
        every=10,
        unit="day",
        anchor="2027-01-01",
        lead_days=0,
        window_days=3,
    )
    for day in (1, 11, 21):
        clock.set(datetime(2027, 1, day, 2, 0, tzinfo=UTC))
        dispatcher_pass(context, clock)
    with context.db.session() as session:
        return {(t.asset_id, t.sequence): t.id for t in session.scalars(select(MaintenanceTask))}
