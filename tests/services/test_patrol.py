"""Patrol rounds on the sample night route (4 checkpoints, 10-minute windows every 10 minutes):
windows, in-window / early / late / repeat / stray scans, missed-checkpoint alerts."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hub import events
from hub.cli.patrol import patrol_app
from hub.context import HubContext
from hub.domain import Role, ScanSource
from hub.errors import Conflict, InvalidInput, NotFound
from hub.event_relay import relaying
from hub.services import patrol
from hub.services.site import LoadResult
from hub.services.users import create_user
from hub.storage.models import Alert, Device, PatrolRound, PatrolStop, RouteStop, User
from tests.support.sites import load_other_site

MIN = timedelta(minutes=1)


def guard(session: Session, username: str = "guard") -> User:
    return session.scalars(sa.select(User).where(User.username == username)).one()


@pytest.fixture
def t0(context: HubContext) -> datetime:
    return context.clock.now()


@pytest.fixture
def round_id(context: HubContext, site: LoadResult, t0: datetime) -> int:
    with context.db.session() as s:
        started = patrol.start_round(
            s, route_code="night", site_id=site.site_id, guard=guard(s), now=t0
        )
        return started.id


def scan(
    context: HubContext,
    site: LoadResult,
    code: str,
    at: datetime,
    *,
    username: str | None = "guard",
    device_id: int | None = None,
) -> tuple[bool, str, str]:
    """Scan `code` at `at`; returns (in_window, outcome, message)."""
    with context.db.session() as s:
        made = patrol.record_scan(
            s,
            site_id=site.site_id,
            checkpoint_code=code,
            source=ScanSource.READER if device_id else ScanSource.PHONE_CODE,
            at=at,
            now=at,
            guard=guard(s, username) if username else None,
            device_id=device_id,
        )
        view = patrol.scan_result_view(s, made)
        return view["in_window"], view["outcome"], view["message"]


def stops(context: HubContext, round_id: int) -> list[PatrolStop]:
    with context.db.session() as s:
        return list(
            s.scalars(
                sa.select(PatrolStop)
                .where(PatrolStop.round_id == round_id)
                .order_by(PatrolStop.seq)
            )
        )


def round_view(context: HubContext, round_id: int, now: datetime) -> dict[str, Any]:
    with context.db.session() as s:
        patrol_round = s.get(PatrolRound, round_id)
        assert patrol_round is not None
        return patrol.round_view(s, patrol_round, now=now)


def test_round_windows_follow_the_route(context: HubContext, round_id: int, t0: datetime) -> None:
    windows = [(s.seq, s.due_from - t0, s.due_until - t0) for s in stops(context, round_id)]
    assert windows == [
        (1, 0 * MIN, 10 * MIN),
        (2, 10 * MIN, 20 * MIN),
        (3, 20 * MIN, 30 * MIN),
        (4, 30 * MIN, 40 * MIN),
    ]
    with context.db.session() as s:
        current = patrol.current_round(s, guard(s), now=t0)
        assert current is not None and current.id == round_id
    view = round_view(context, round_id, t0)
    assert view["status"] == "in_progress"
    assert view["next_stop"]["checkpoint_code"] == "CP-NORTH-GATE"
    assert [stop["status"] for stop in view["stops"]] == [
        "open",
        "upcoming",
        "upcoming",
        "upcoming",
    ]


def test_one_round_in_progress_per_guard(
    context: HubContext, site: LoadResult, round_id: int, t0: datetime
) -> None:
    with context.db.session() as s, pytest.raises(Conflict, match="still in progress"):
        patrol.start_round(s, route_code="night", site_id=site.site_id, guard=guard(s), now=t0)
    with context.db.session() as s, pytest.raises(NotFound, match="route 'day'"):
        patrol.start_round(
            s, route_code="day", site_id=site.site_id, guard=guard(s), now=t0 + 41 * MIN
        )


def test_in_window_early_late_repeat_and_stray_scans(
    context: HubContext, site: LoadResult, round_id: int, t0: datetime
) -> None:
    assert scan(context, site, "CP-B1-LOBBY", t0 + 5 * MIN)[:2] == (False, "early")
    assert scan(context, site, "CP-B1-LOBBY", t0 + 10 * MIN)[:2] == (True, "in_window")
    assert scan(context, site, "CP-B1-LOBBY", t0 + 12 * MIN)[:2] == (False, "repeat")
    late = scan(context, site, "CP-NORTH-GATE", t0 + 10 * MIN + timedelta(seconds=1))
    assert late[:2] == (False, "late")
    assert "10:10" in late[2]  # the window closed 10:10 Shanghai time (02:10 UTC)
    assert scan(context, site, "CP-PUMP-ROOM", t0 + 30 * MIN)[:2] == (True, "in_window")
    done = stops(context, round_id)
    assert [s.scanned_at for s in done] == [None, t0 + 10 * MIN, t0 + 30 * MIN, None]
    next_stop = round_view(context, round_id, t0 + 30 * MIN)["next_stop"]
    assert next_stop["checkpoint_code"] == "CP-B2-LOBBY"
    stray = scan(context, site, "CP-NORTH-GATE", t0 + 5 * 60 * MIN)
    assert stray[:2] == (False, "stray")


def test_unknown_checkpoint_is_not_found(
    context: HubContext, site: LoadResult, t0: datetime
) -> None:
    with pytest.raises(NotFound, match="checkpoint 'CP-NOWHERE'"):
        scan(context, site, "CP-NOWHERE", t0)


def test_scan_from_a_clock_running_ahead_is_refused(
    context: HubContext, site: LoadResult, t0: datetime
) -> None:
    with context.db.session() as s, pytest.raises(InvalidInput, match="in the future"):
        patrol.record_scan(
            s,
            site_id=site.site_id,
            checkpoint_code="CP-NORTH-GATE",
            source=ScanSource.READER,
            at=t0 + 6 * MIN,
            now=t0,
        )


def test_reader_scan_counts_and_other_guards_do_not(
    context: HubContext, site: LoadResult, round_id: int, t0: datetime
) -> None:
    with context.db.session() as s:
        create_user(s, username="guard2", full_name="Guard Two", role=Role.GUARD, now=t0)
        reader = s.scalars(sa.select(Device.id).where(Device.code == "cpr-north")).one()
    assert scan(context, site, "CP-NORTH-GATE", t0 + MIN, username="guard2")[:2] == (False, "stray")
    assert scan(context, site, "CP-NORTH-GATE", t0 + 2 * MIN, username=None, device_id=reader)[0]
    assert stops(context, round_id)[0].scanned_at == t0 + 2 * MIN


def test_check_missed_raises_one_alert_per_missed_stop(
    context: HubContext, site: LoadResult, round_id: int, t0: datetime
) -> None:
    scan(context, site, "CP-B1-LOBBY", t0 + 15 * MIN)
    with context.db.session() as s:
        assert patrol.check_missed(s, now=t0 + 10 * MIN) == []  # window still open at 10:00 sharp
    with context.db.session() as s:
        first = patrol.check_missed(s, now=t0 + 21 * MIN)  # stop 1 missed, stop 2 scanned
        assert [a.title for a in first] == ["漏巡 Missed checkpoint"]
        assert first[0].rule_id == "patrol.missed_checkpoint"
        assert first[0].severity.value == "major"
        reason = first[0].reason
    assert "CP-NORTH-GATE" in reason and f"round {round_id}" in reason
    assert "2026-11-10 10:00–10:10 Asia/Shanghai" in reason
    with context.db.session() as s:
        later = patrol.check_missed(s, now=t0 + 41 * MIN)
        assert [a.location for a in later] == ["地下泵房 Pump room", "2号楼大堂 B2 lobby"]
    with context.db.session() as s:
        assert patrol.check_missed(s, now=t0 + 90 * MIN) == []
        assert s.scalar(sa.select(sa.func.count(Alert.id))) == 3
        missed = {stop.seq: stop.missed_alert_id for stop in stops(context, round_id)}
    assert missed[2] is None and None not in (missed[1], missed[3], missed[4])


async def test_scan_is_published_on_the_live_feed_after_commit(
    context: HubContext, site: LoadResult, round_id: int, t0: datetime
) -> None:
    async with relaying(context.db.engine):  # PostgreSQL: the feed comes back by NOTIFY
        subscription = events.bus.subscribe()
        try:
            scan(context, site, "CP-NORTH-GATE", t0 + MIN)
            item = await asyncio.wait_for(subscription.queue.get(), timeout=5)
        finally:
            subscription.close()
    assert item.kind == "patrol.scan"
    assert item.data["checkpoint_code"] == "CP-NORTH-GATE"
    assert item.data["in_window"] is True and item.data["round_id"] == round_id


def test_cli_check_missed_alerts_once(context: HubContext, round_id: int) -> None:
    """The command uses the real clock, long after this round's windows (November 2026)."""
    runner = CliRunner()
    first = runner.invoke(patrol_app, ["check-missed"])
    assert first.exit_code == 0, first.output
    assert "4 missed checkpoint(s) alerted" in first.output
    assert "CP-B2-LOBBY" in first.output
    second = runner.invoke(patrol_app, ["check-missed"])
    assert "0 missed checkpoint(s) alerted" in second.output


def test_walking_the_route_out_of_order_raises_one_minor_alert(
    context: HubContext, site: LoadResult, t0: datetime
) -> None:
    """With overlapping windows, stop 3 scanned while stops 1 and 2 are still open is out of
    order; scanning stop 1 next is in order again."""
    with context.db.session() as s:
        s.execute(sa.update(RouteStop).values(window_min=30))
        patrol.start_round(s, route_code="night", site_id=site.site_id, guard=guard(s), now=t0)
    assert scan(context, site, "CP-PUMP-ROOM", t0 + 25 * MIN)[0]
    assert scan(context, site, "CP-NORTH-GATE", t0 + 26 * MIN)[0]
    with context.db.session() as s:
        alerts = s.scalars(sa.select(Alert)).all()
    assert [(a.rule_id, a.severity.value, a.title) for a in alerts] == [
        ("patrol.out_of_order", "minor", "巡更顺序错误 Checkpoint out of order")
    ]
    assert "CP-PUMP-ROOM (stop 3)" in alerts[0].reason and "before stop(s) 1, 2" in alerts[0].reason


def test_check_missed_can_judge_some_sites_only(
    context: HubContext, site: LoadResult, round_id: int, t0: datetime
) -> None:
    """With several workers each judges the missed stops of the sites it owns."""
    other = load_other_site(context)
    with context.db.session() as s:
        guard2, _ = create_user(
            s, username="guard2", full_name="Guard Two", role=Role.GUARD, now=t0
        )
        patrol.start_round(s, route_code="night", site_id=other.site_id, guard=guard2, now=t0)
    late = t0 + 90 * MIN
    with context.db.session() as s:
        assert patrol.check_missed(s, now=late, site_ids=[]) == []
        theirs = patrol.check_missed(s, now=late, site_ids={other.site_id})
        assert [a.site_id for a in theirs] == [other.site_id] * 4
    with context.db.session() as s:
        rest = patrol.check_missed(s, now=late)  # None: every site, what is left
        assert [a.site_id for a in rest] == [site.site_id] * 4
        assert patrol.check_missed(s, now=late) == []
