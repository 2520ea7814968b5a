"""Notifications: recipients resolve (roles, users, owners of a building), each row is delivered
once, and a crash mid-delivery neither loses nor doubles one."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import DeliveryStatus, Role
from hub.errors import NotFound
from hub.services import outbox
from hub.services.automation import apply_actions
from hub.services.site import LoadResult
from hub.storage.models import Device, InboxItem, OutboxMessage, User
from rules.actions import Notify


def usernames(session: Session, user_ids: list[int]) -> list[str]:
    names = session.scalars(select(User.username).where(User.id.in_(user_ids)))
    return sorted(names)


def inbox_of(session: Session, username: str) -> list[InboxItem]:
    user = session.scalars(select(User).where(User.username == username)).one()
    return outbox.inbox(session, user)


def water_shutoff(session: Session, site_id: int) -> Notify:
    pump = session.scalars(select(Device).where(Device.code == "pump-1")).one()
    return Notify(
        rule_id="pump-shutoff",
        device_id=pump.id,
        site_id=site_id,
        reason="pressure low",
        title="停水通知 Water shut-off in Building 1",
        roles=("operator",),
        users=("tech",),
        building_owners="B1",
    )


def test_notify_reaches_staff_and_every_owner_of_the_building(
    context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    with context.db.session() as session:
        applied = apply_actions(session, [water_shutoff(session, site.site_id)], now=clock.now())
        assert applied.notifications == 4
        rows = session.scalars(select(OutboxMessage)).all()
        assert usernames(session, [r.recipient_id for r in rows]) == [
            "operator",
            "owner101",
            "owner102",
            "tech",
        ]
        assert {r.status for r in rows} == {DeliveryStatus.PENDING}
    assert outbox.deliver_pending(context.db.session, now=clock.now()) == 4
    assert outbox.deliver_pending(context.db.session, now=clock.now()) == 0
    with context.db.session() as session:
        assert [i.title for i in inbox_of(session, "owner101")] == [
            "停水通知 Water shut-off in Building 1"
        ]
        assert inbox_of(session, "owner201") == []  # Building 2: not told


class Crash(RuntimeError):
    pass


def test_a_crash_mid_delivery_neither_loses_nor_doubles(
    context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    with context.db.session() as session:
        outbox.notify(
            session,
            site_id=site.site_id,
            recipients=outbox.Recipients(usernames=("operator", "admin")),
            title="t",
            body="b",
            source="test",
            now=clock.now(),
        )
    calls: list[int] = []

    def crashing(session: Session, message: OutboxMessage, now: datetime) -> None:
        outbox.to_inbox(session, message, now)  # written ... then the process "dies"
        session.flush()
        calls.append(message.id)
        raise Crash("power cut")

    assert outbox.deliver_pending(context.db.session, now=clock.now(), channel=crashing) == 0
    assert len(calls) == 2
    with context.db.session() as session:
        assert session.scalars(select(InboxItem)).all() == []  # rolled back with the status
        rows = session.scalars(select(OutboxMessage)).all()
        assert [(r.status, r.attempts) for r in rows] == [(DeliveryStatus.PENDING, 1)] * 2
        assert all("power cut" in (r.last_error or "") for r in rows)
        # a crash after the inbox row committed but before the status did: delivered already
        outbox.to_inbox(session, rows[0], clock.now())
    assert outbox.deliver_pending(context.db.session, now=clock.now()) == 2
    with context.db.session() as session:
        assert len(inbox_of(session, "operator")) == 1
        assert len(inbox_of(session, "admin")) == 1
        rows = session.scalars(select(OutboxMessage)).all()
        assert {r.status for r in rows} == {DeliveryStatus.DELIVERED}


def test_a_channel_that_keeps_failing_gives_up_after_max_attempts(
    context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    with context.db.session() as session:
        outbox.notify(
            session,
            site_id=site.site_id,
            recipients=outbox.Recipients(roles=(Role.FINANCE,)),
            title="t",
            body="b",
            source="test",
            now=clock.now(),
        )

    def broken(session: Session, message: OutboxMessage, now: datetime) -> None:
        raise Crash("SMS gateway down")

    for _ in range(outbox.MAX_ATTEMPTS + 2):
        outbox.deliver_pending(context.db.session, now=clock.now(), channel=broken)
    with context.db.session() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert (row.status, row.attempts) == (DeliveryStatus.FAILED, outbox.MAX_ATTEMPTS)


def test_an_owner_cannot_mark_anothers_notification(
    context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    with context.db.session() as session:
        apply_actions(session, [water_shutoff(session, site.site_id)], now=clock.now())
    outbox.deliver_pending(context.db.session, now=clock.now())
    with context.db.session() as session:
        item = inbox_of(session, "owner101")[0]
        other = session.scalars(select(User).where(User.username == "owner102")).one()
        with pytest.raises(NotFound):
            outbox.mark_read(session, item.id, user=other, now=clock.now())
