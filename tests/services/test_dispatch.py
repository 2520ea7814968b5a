"""Dispatch candidates from the duty roster, the technician's steps and who may take them."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import Priority, Role, WorkOrderStatus
from hub.errors import InvalidTransition, NotFound, PermissionDenied
from hub.services import dispatch, homes, work_orders
from hub.services.site import LoadResult
from hub.storage.models import DutyShift, Home, User


def user(session: Session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def b1_101(session: Session) -> Home:
    return next(h for h in session.scalars(select(Home)) if h.code == "101")


def test_candidates_put_the_roster_pick_first_then_on_duty_then_least_loaded(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    with context.db.session() as session:
        for name in ("tech2", "tech3"):
            session.add(
                User(
                    username=name,
                    full_name=name,
                    role=Role.TECHNICIAN,
                    password_hash="",
                    created_at=clock.now(),
                )
            )
        session.flush()
        home = b1_101(session)
        for name, building in (("tech3", None), ("tech2", home.building_id)):
            shift = DutyShift(
                site_id=site.site_id,
                user_id=user(session, name).id,
                category="plumbing",
                building_id=building,
                starts=time(0),
                ends=time(23, 59),
            )
            session.add(shift)
        service = user(session, "service")
        order = work_orders.phone_in(
            session,
            by=service,
            home_id=home.id,
            category="plumbing",
            title="漏水 Leak",
            description="",
            priority=Priority.HIGH,
            contact=None,
            now=clock.now(),
        )
        assert order.status is WorkOrderStatus.ACCEPTED and order.accepted_at == clock.now()
        found = dispatch.candidates(session, order, now=clock.now())
        assert [(c.technician.username, c.on_duty, c.suggested) for c in found] == [
            ("tech2", True, True),  # the building's own shift wins
            ("tech3", True, False),
            ("tech", False, False),
        ]
        work_orders.assign(
            session, order.id, technician_id=user(session, "tech").id, by=service, now=clock.now()
        )
        assert order.assignee is not None and order.assignee.username == "tech"
        assert [c.open_orders for c in dispatch.candidates(session, order, now=clock.now())] == [
            0,
            0,
            1,
        ]


def test_only_the_assignee_arrives_and_another_owner_cannot_confirm(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    with context.db.session() as session:
        session.add(
            User(
                username="tech2",
                full_name="",
                role=Role.TECHNICIAN,
                password_hash="",
                created_at=clock.now(),
            )
        )
        service, tech = user(session, "service"), user(session, "tech")
        order = work_orders.phone_in(
            session,
            by=service,
            home_id=b1_101(session).id,
            category="plumbing",
            title="漏水 Leak",
            description="",
            priority=Priority.NORMAL,
            contact=None,
            now=clock.now(),
        )
        work_orders.assign(session, order.id, technician_id=tech.id, by=service, now=clock.now())
        with pytest.raises(NotFound):  # another technician: not theirs to see
            work_orders.start(session, order.id, by=user(session, "tech2"), now=clock.now())
        with pytest.raises(InvalidTransition):
            work_orders.arrive(session, order.id, by=tech, now=clock.now())
        work_orders.start(session, order.id, by=tech, now=clock.now())
        with pytest.raises(PermissionDenied):  # staff with the order in view, not the assignee
            work_orders.arrive(session, order.id, by=service, now=clock.now())
        assert work_orders.arrive(session, order.id, by=tech, now=clock.now()).arrived_at
        work_orders.complete(session, order.id, report="done", by=tech, now=clock.now())
        with pytest.raises(NotFound):
            work_orders.confirm(
                session,
                order.id,
                attitude=1,
                quality=1,
                comment="",
                by=user(session, "owner102"),
                now=clock.now(),
            )
        with pytest.raises(NotFound):  # the phone-in is for a home, so a real one is needed
            work_orders.phone_in(
                session,
                by=service,
                home_id=9999,
                category="plumbing",
                title="x",
                description="",
                priority=Priority.NORMAL,
                contact=None,
                now=clock.now(),
            )
        assert [h.label for h in homes.owners_homes(session, user(session, "owner102"))] == [
            "B1/102"
        ]
