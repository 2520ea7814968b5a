"""Guard patrols (巡更): a guard starts a round of a route; each checkpoint is due within a
time window; scans (typed code, phone photo of the QR label, or a fixed reader) tick stops off;
a stop whose window closes unscanned raises one "漏巡 Missed checkpoint" alert.

A scan that fits no open window is still recorded (in_window false): the control room sees
every scan, and a late scan does not turn a missed stop into a done one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from hub import events
from hub.domain import Role, ScanSource, Severity
from hub.errors import Conflict, InvalidInput, NotFound
from hub.services.alerts import AlertRequest, raise_alert
from hub.storage.models import (
    Alert,
    Checkpoint,
    Device,
    PatrolRound,
    PatrolRoute,
    PatrolScan,
    PatrolStop,
    RouteStop,
    Site,
    User,
)

MISSED_RULE_ID = "patrol.missed_checkpoint"
OUT_OF_ORDER_RULE_ID = "patrol.out_of_order"
LATE_GRACE = timedelta(hours=1)  # how long after a round a scan is still called "late"
CLOCK_SLACK = timedelta(minutes=5)  # a reader's clock may run this far ahead of the hub


class StopStatus(StrEnum):
    SCANNED = "scanned"
    OPEN = "open"  # its window is open now
    UPCOMING = "upcoming"
    MISSED = "missed"


class RoundStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"  # every stop scanned in its window
    ENDED = "ended"  # the last window closed with stops missed


class ScanOutcome(StrEnum):
    IN_WINDOW = "in_window"
    EARLY = "early"
    LATE = "late"
    REPEAT = "repeat"
    STRAY = "stray"


def stop_status(stop: PatrolStop, now: datetime) -> StopStatus:
    if stop.scanned_at is not None:
        return StopStatus.SCANNED
    if now > stop.due_until:
        return StopStatus.MISSED
    return StopStatus.OPEN if now >= stop.due_from else StopStatus.UPCOMING


def stops_of(session: Session, patrol_round: PatrolRound) -> list[PatrolStop]:
    return list(
        session.scalars(
            select(PatrolStop)
            .where(PatrolStop.round_id == patrol_round.id)
            .order_by(PatrolStop.seq)
        )
    )


def round_status(session: Session, patrol_round: PatrolRound, now: datetime) -> RoundStatus:
    if all(stop.scanned_at is not None for stop in stops_of(session, patrol_round)):
        return RoundStatus.COMPLETED
    return RoundStatus.ENDED if now > patrol_round.ends_at else RoundStatus.IN_PROGRESS


# --- sites and routes ----------------------------------------------------------------------


def site_for(session: Session, *, site_code: str | None, guard: User, now: datetime) -> Site:
    """The named site, else the site of the guard's round in progress, else the only site."""
    if site_code:
        site = session.scalars(select(Site).where(Site.code == site_code)).one_or_none()
        if site is None:
            raise NotFound(f"site {site_code!r} not found")
        return site
    current = current_round(session, guard, now=now)
    if current is not None:
        route = session.get(PatrolRoute, current.route_id)
        assert route is not None
        return _site(session, route.site_id)
    sites = list(session.scalars(select(Site).limit(2)))
    if len(sites) != 1:
        raise InvalidInput("site_code: this hub runs several sites; name one")
    return sites[0]


def _site(session: Session, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound(f"site {site_id} not found")
    return site


def list_routes(session: Session) -> list[PatrolRoute]:
    return list(
        session.scalars(select(PatrolRoute).order_by(PatrolRoute.site_id, PatrolRoute.code))
    )


# --- rounds ------------------------------------------------------------------------------


def start_round(
    session: Session, *, route_code: str, site_id: int, guard: User, now: datetime
) -> PatrolRound:
    """A round of the route starting now: every stop due `offset_min` after the start, for
    `window_min` minutes. One round in progress per guard."""
    current = current_round(session, guard, now=now)
    if current is not None:
        raise Conflict(
            f"round {current.id} is still in progress (until {current.ends_at.isoformat()}); "
            "finish it first"
        )
    route = session.scalars(
        select(PatrolRoute).where(PatrolRoute.site_id == site_id, PatrolRoute.code == route_code)
    ).one_or_none()
    if route is None:
        raise NotFound(f"patrol route {route_code!r} not found")
    route_stops = list(
        session.scalars(
            select(RouteStop).where(RouteStop.route_id == route.id).order_by(RouteStop.seq)
        )
    )
    if not route_stops:
        raise InvalidInput(f"patrol route {route_code!r} has no checkpoints")
    stops = []
    for route_stop in route_stops:
        due_from = now + timedelta(minutes=route_stop.offset_min)
        stops.append(
            PatrolStop(
                seq=route_stop.seq,
                checkpoint_id=route_stop.checkpoint_id,
                due_from=due_from,
                due_until=due_from + timedelta(minutes=route_stop.window_min),
            )
        )
    patrol_round = PatrolRound(
        route_id=route.id,
        guard_id=guard.id,
        starts_at=now,
        ends_at=max(stop.due_until for stop in stops),
    )
    session.add(patrol_round)
    session.flush()
    for stop in stops:
        stop.round_id = patrol_round.id
    session.add_all(stops)
    session.flush()
    return patrol_round


def current_round(session: Session, guard: User, *, now: datetime) -> PatrolRound | None:
    """The guard's newest round still in progress (not completed, last window not closed)."""
    rounds = session.scalars(
        select(PatrolRound)
        .where(PatrolRound.guard_id == guard.id, PatrolRound.ends_at >= now)
        .order_by(PatrolRound.starts_at.desc(), PatrolRound.id.desc())
    )
    for patrol_round in rounds:
        if round_status(session, patrol_round, now) is RoundStatus.IN_PROGRESS:
            return patrol_round
    return None


# --- scans -------------------------------------------------------------------------------


def checkpoint_or_raise(session: Session, *, site_id: int, code: str) -> Checkpoint:
    checkpoint = session.scalars(
        select(Checkpoint).where(Checkpoint.site_id == site_id, Checkpoint.code == code)
    ).one_or_none()
    if checkpoint is None:
        raise NotFound(f"checkpoint {code!r} not found")
    return checkpoint


def record_scan(
    session: Session,
    *,
    site_id: int,
    checkpoint_code: str,
    source: ScanSource,
    at: datetime,
    now: datetime,
    guard: User | None = None,
    device_id: int | None = None,
) -> PatrolScan:
    """Record a scan and tick off the earliest unscanned stop for that checkpoint whose window
    holds `at` (a guard's scan counts only for their own rounds); else a stray scan."""
    if at > now + CLOCK_SLACK:
        raise InvalidInput(
            f"scan time {at.isoformat()} is in the future (hub time {now.isoformat()}); "
            "check the reader's clock"
        )
    checkpoint = checkpoint_or_raise(session, site_id=site_id, code=checkpoint_code)
    if source is ScanSource.READER and checkpoint.reader_device_id != device_id:
        raise InvalidInput(_not_its_checkpoint(session, checkpoint, device_id))
    query = (
        select(PatrolStop)
        .join(PatrolRound, PatrolRound.id == PatrolStop.round_id)
        .where(
            PatrolStop.checkpoint_id == checkpoint.id,
            PatrolStop.scanned_at.is_(None),
            PatrolStop.due_from <= at,
            PatrolStop.due_until >= at,
        )
        .order_by(PatrolStop.due_from, PatrolStop.id)
        .limit(1)
        .with_for_update(of=PatrolStop)
    )
    stop = session.scalars(_for_guard(query, guard)).one_or_none()
    if stop is not None:
        stop.scanned_at = at
        _flag_skipped(session, stop, checkpoint, now=now)
    scan = PatrolScan(
        checkpoint_id=checkpoint.id,
        stop_id=stop.id if stop else None,
        scanned_at=at,
        source=source,
        guard_id=guard.id if guard else None,
        device_id=device_id,
        in_window=stop is not None,
    )
    session.add(scan)
    session.flush()
    events.emit(session, "patrol.scan", scan_view(session, scan))
    return scan


def _not_its_checkpoint(session: Session, checkpoint: Checkpoint, device_id: int | None) -> str:
    """Why a fixed reader's scan of another checkpoint is refused: a reader never moves, so the
    scan is forged or the reader misconfigured."""
    device = session.get(Device, device_id) if device_id is not None else None
    own = session.scalars(
        select(Checkpoint.code)
        .where(Checkpoint.reader_device_id == device_id)
        .order_by(Checkpoint.code)
    ).all()
    watches = f"watches {', '.join(own)}" if own else "watches no checkpoint"
    name = device.code if device is not None else "(none)"
    return (
        f"reader {name} {watches}, not {checkpoint.code}: "
        "a fixed reader only scans its own checkpoint"
    )


def _for_guard(query: Select[PatrolStop], guard: User | None) -> Select[PatrolStop]:
    if guard is None:  # a fixed reader: any guard's round
        return query
    return query.where(or_(PatrolRound.guard_id == guard.id, PatrolRound.guard_id.is_(None)))


@dataclass(frozen=True)
class ScanResult:
    """What a scan meant for the guard who made it."""

    outcome: ScanOutcome
    stop: PatrolStop | None


def scan_outcome(session: Session, scan: PatrolScan) -> ScanResult:
    """Why a scan did or did not count: in window, too early, too late, already done, stray."""
    if scan.stop_id is not None:
        return ScanResult(ScanOutcome.IN_WINDOW, session.get(PatrolStop, scan.stop_id))
    at = scan.scanned_at
    query = (
        select(PatrolStop)
        .join(PatrolRound, PatrolRound.id == PatrolStop.round_id)
        .where(
            PatrolStop.checkpoint_id == scan.checkpoint_id,
            PatrolRound.starts_at <= at,
            PatrolRound.ends_at >= at - LATE_GRACE,
        )
        .order_by(PatrolStop.due_from, PatrolStop.id)
    )
    guard = session.get(User, scan.guard_id) if scan.guard_id else None
    stops = list(session.scalars(_for_guard(query, guard)))
    for outcome, fits in (
        (ScanOutcome.EARLY, lambda s: s.scanned_at is None and s.due_from > at),
        (ScanOutcome.LATE, lambda s: s.scanned_at is None and s.due_until < at),
        (ScanOutcome.REPEAT, lambda s: s.scanned_at is not None),
    ):
        stop = next((s for s in stops if fits(s)), None)
        if stop is not None:
            return ScanResult(outcome, stop)
    return ScanResult(ScanOutcome.STRAY, None)


def list_scans(session: Session, user: User, *, limit: int = 200) -> list[PatrolScan]:
    """Newest first; a guard sees only their own scans."""
    query = _scans_visible_to(user).order_by(PatrolScan.scanned_at.desc(), PatrolScan.id.desc())
    return list(session.scalars(query.limit(limit)))


def scan_visible(session: Session, scan_id: int, user: User) -> bool:
    """Whether `user`'s list of scans would hold this one (the live feed asks per scan)."""
    query = _scans_visible_to(user).where(PatrolScan.id == scan_id)
    return session.scalar(query.with_only_columns(PatrolScan.id)) is not None


def _scans_visible_to(user: User) -> Select[PatrolScan]:
    """The one rule for both: a guard sees only their own scans, the control room all."""
    query = select(PatrolScan)
    if user.role is Role.GUARD:
        query = query.where(PatrolScan.guard_id == user.id)
    return query


# --- missed checkpoints --------------------------------------------------------------------


def _flag_skipped(
    session: Session, stop: PatrolStop, checkpoint: Checkpoint, *, now: datetime
) -> None:
    """A stop ticked off while an earlier stop of its round is still open and unscanned: the
    guard walks the route out of order, which the control room should see at once (minor alert;
    an earlier stop whose window already closed is a missed checkpoint instead)."""
    skipped = session.scalars(
        select(PatrolStop.seq)
        .where(
            PatrolStop.round_id == stop.round_id,
            PatrolStop.seq < stop.seq,
            PatrolStop.scanned_at.is_(None),
            PatrolStop.due_until >= stop.scanned_at,  # still open: skipped, not (yet) missed
        )
        .order_by(PatrolStop.seq)
    ).all()
    if not skipped:
        return
    patrol_round = session.get(PatrolRound, stop.round_id)
    assert patrol_round is not None
    route = session.get(PatrolRoute, patrol_round.route_id)
    assert route is not None
    raise_alert(
        session,
        AlertRequest(
            site_id=route.site_id,
            rule_id=OUT_OF_ORDER_RULE_ID,
            dedup_key=f"{OUT_OF_ORDER_RULE_ID}:stop:{stop.id}",
            severity=Severity.MINOR,
            title="巡更顺序错误 Checkpoint out of order",
            reason=(
                f"checkpoint {checkpoint.code} (stop {stop.seq}) was scanned in round "
                f"{patrol_round.id} of route {route.code} before stop(s) "
                f"{', '.join(map(str, skipped))}"
            ),
            location=checkpoint.name,
            device_id=checkpoint.reader_device_id,
        ),
        now=now,
    )


def check_missed(
    session: Session, *, now: datetime, site_ids: Collection[int] | None = None
) -> list[Alert]:
    """Raise one major alert per stop whose window closed unscanned; already alerted stops are
    skipped, so calling this every minute is safe. Returns the alerts raised now.

    `site_ids` limits the judging to those sites (each of several workers judges its own);
    None: every site."""
    query = (
        select(PatrolStop, PatrolRound, PatrolRoute, Checkpoint, Site)
        .join(PatrolRound, PatrolRound.id == PatrolStop.round_id)
        .join(PatrolRoute, PatrolRoute.id == PatrolRound.route_id)
        .join(Checkpoint, Checkpoint.id == PatrolStop.checkpoint_id)
        .join(Site, Site.id == PatrolRoute.site_id)
        .where(
            PatrolStop.due_until < now,
            PatrolStop.scanned_at.is_(None),
            PatrolStop.missed_alert_id.is_(None),
        )
        .order_by(PatrolStop.due_until, PatrolStop.id)
    )
    if site_ids is not None:
        query = query.where(PatrolRoute.site_id.in_(sorted(site_ids)))
    rows = session.execute(query).all()
    raised = []
    for stop, patrol_round, route, checkpoint, site in rows:
        guard = session.get(User, patrol_round.guard_id) if patrol_round.guard_id else None
        zone = ZoneInfo(site.timezone)
        window = (
            f"{stop.due_from.astimezone(zone):%Y-%m-%d %H:%M}–"
            f"{stop.due_until.astimezone(zone):%H:%M} {site.timezone}"
        )
        alert, _ = raise_alert(
            session,
            AlertRequest(
                site_id=site.id,
                rule_id=MISSED_RULE_ID,
                dedup_key=f"{MISSED_RULE_ID}:stop:{stop.id}",
                severity=Severity.MAJOR,
                title="漏巡 Missed checkpoint",
                reason=(
                    f"checkpoint {checkpoint.code} ({checkpoint.name}) was not scanned in round "
                    f"{patrol_round.id} of route {route.code} ({route.name}), stop {stop.seq}, "
                    f"window {window}; guard {guard.username if guard else 'unassigned'}"
                ),
                location=checkpoint.name,
                device_id=checkpoint.reader_device_id,
            ),
            now=now,
        )
        stop.missed_alert_id = alert.id
        raised.append(alert)
    session.flush()
    return raised


# --- JSON shapes -------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def stop_view(
    stop: PatrolStop, checkpoint: Checkpoint, now: datetime, late_scan_at: datetime | None = None
) -> dict[str, Any]:
    return {
        "id": stop.id,
        "seq": stop.seq,
        "checkpoint_code": checkpoint.code,
        "checkpoint_name": checkpoint.name,
        "due_from": stop.due_from.isoformat(),
        "due_until": stop.due_until.isoformat(),
        "scanned_at": _iso(stop.scanned_at),
        "late_scan_at": _iso(late_scan_at),
        "status": stop_status(stop, now).value,
    }


def _late_scans(
    session: Session, patrol_round: PatrolRound, stops: list[PatrolStop]
) -> dict[int, datetime]:
    """For each unscanned stop, the first scan of its checkpoint after its window closed (within
    LATE_GRACE) by the round's guard: the stop stays missed, but the guard did come, late."""
    open_stops = [stop for stop in stops if stop.scanned_at is None]
    if not open_stops:
        return {}
    query = (
        select(PatrolScan)
        .where(
            PatrolScan.checkpoint_id.in_({stop.checkpoint_id for stop in open_stops}),
            PatrolScan.in_window.is_(False),
            PatrolScan.scanned_at > patrol_round.starts_at,
            PatrolScan.scanned_at <= patrol_round.ends_at + LATE_GRACE,
        )
        .order_by(PatrolScan.scanned_at, PatrolScan.id)
    )
    if patrol_round.guard_id is not None:
        query = query.where(PatrolScan.guard_id == patrol_round.guard_id)
    scans = list(session.scalars(query))
    late: dict[int, datetime] = {}
    for stop in open_stops:
        closes = stop.due_until
        at = next(
            (
                scan.scanned_at
                for scan in scans
                if scan.checkpoint_id == stop.checkpoint_id
                and closes < scan.scanned_at <= closes + LATE_GRACE
            ),
            None,
        )
        if at is not None:
            late[stop.id] = at
    return late


def round_view(session: Session, patrol_round: PatrolRound, *, now: datetime) -> dict[str, Any]:
    """A round with its stops, their windows and status, and the next checkpoint to walk to."""
    route = session.get(PatrolRoute, patrol_round.route_id)
    assert route is not None
    stops = stops_of(session, patrol_round)
    checkpoints = _checkpoints(session, {stop.checkpoint_id for stop in stops})
    late = _late_scans(session, patrol_round, stops)
    views = [
        stop_view(stop, checkpoints[stop.checkpoint_id], now, late.get(stop.id)) for stop in stops
    ]
    pending = (StopStatus.OPEN.value, StopStatus.UPCOMING.value)
    guard = session.get(User, patrol_round.guard_id) if patrol_round.guard_id else None
    statuses = [view["status"] for view in views]
    return {
        "id": patrol_round.id,
        "route_code": route.code,
        "route_name": route.name,
        "site_code": _site(session, route.site_id).code,
        "guard_id": patrol_round.guard_id,
        "guard": guard.username if guard else None,
        "guard_name": guard.full_name if guard else None,
        "starts_at": patrol_round.starts_at.isoformat(),
        "ends_at": patrol_round.ends_at.isoformat(),
        "status": round_status(session, patrol_round, now).value,
        "next_stop": next((view for view in views if view["status"] in pending), None),
        "scanned": statuses.count(StopStatus.SCANNED.value),
        "missed": statuses.count(StopStatus.MISSED.value),
        "late": len(late),
        "stops": views,
    }


def rounds_of_day(session: Session, user: User, *, now: datetime) -> list[PatrolRound]:
    """Newest first: the rounds started today (the site's local day) or still running; a guard
    sees only their own."""
    query = (
        select(PatrolRound, Site.timezone)
        .join(PatrolRoute, PatrolRoute.id == PatrolRound.route_id)
        .join(Site, Site.id == PatrolRoute.site_id)
        .where(or_(PatrolRound.starts_at >= now - timedelta(days=1), PatrolRound.ends_at >= now))
        .order_by(PatrolRound.starts_at.desc(), PatrolRound.id.desc())
    )
    if user.role is Role.GUARD:
        query = query.where(PatrolRound.guard_id == user.id)
    found = []
    for patrol_round, timezone in session.execute(query).all():
        zone = ZoneInfo(timezone)
        today = now.astimezone(zone).date() == patrol_round.starts_at.astimezone(zone).date()
        if today or patrol_round.ends_at >= now:
            found.append(patrol_round)
    return found


def _checkpoints(session: Session, ids: set[int]) -> dict[int, Checkpoint]:
    return {c.id: c for c in session.scalars(select(Checkpoint).where(Checkpoint.id.in_(ids)))}


def scan_view(session: Session, scan: PatrolScan) -> dict[str, Any]:
    """The JSON shape of a scan, shared by the REST API and the live feed ("patrol.scan")."""
    checkpoint = session.get(Checkpoint, scan.checkpoint_id)
    assert checkpoint is not None
    guard = session.get(User, scan.guard_id) if scan.guard_id else None
    stop = session.get(PatrolStop, scan.stop_id) if scan.stop_id else None
    return {
        "id": scan.id,
        "checkpoint_code": checkpoint.code,
        "checkpoint_name": checkpoint.name,
        "scanned_at": scan.scanned_at.isoformat(),
        "source": scan.source.value,
        "guard": guard.username if guard else None,
        "device_id": scan.device_id,
        "in_window": scan.in_window,
        "stop_id": scan.stop_id,
        "round_id": stop.round_id if stop else None,
        "seq": stop.seq if stop else None,
    }


_MESSAGES = {
    ScanOutcome.IN_WINDOW: "已打卡 Checked in: {name}",
    ScanOutcome.EARLY: "太早 Too early for {name}: its window opens at {from_}",
    ScanOutcome.LATE: "超时 Too late for {name}: its window closed at {until}",
    ScanOutcome.REPEAT: "已打过卡 {name} was already scanned at {scanned}",
    ScanOutcome.STRAY: "不在巡更时间窗内 {name} is not due in any open round (scan recorded)",
}


def scan_result_view(session: Session, scan: PatrolScan) -> dict[str, Any]:
    """The scan plus what it meant, in words for the guard's phone."""
    view = scan_view(session, scan)
    result = scan_outcome(session, scan)
    checkpoint = session.get(Checkpoint, scan.checkpoint_id)
    assert checkpoint is not None
    zone = ZoneInfo(_site(session, checkpoint.site_id).timezone)

    def clock(value: datetime | None) -> str:
        return f"{value.astimezone(zone):%H:%M}" if value else ""

    stop = result.stop
    view["outcome"] = result.outcome.value
    view["skipped"] = (
        _skipped_before(session, stop) if result.outcome is ScanOutcome.IN_WINDOW else []
    )
    view["expected"] = _expected(session, scan)
    view["message"] = _MESSAGES[result.outcome].format(
        name=checkpoint.name,
        from_=clock(stop.due_from if stop else None),
        until=clock(stop.due_until if stop else None),
        scanned=clock(stop.scanned_at if stop else None),
    )
    return view


def _skipped_before(session: Session, stop: PatrolStop | None) -> list[int]:
    """The earlier stops of the round still unscanned: the guard walked out of order."""
    if stop is None:
        return []
    return list(
        session.scalars(
            select(PatrolStop.seq)
            .where(
                PatrolStop.round_id == stop.round_id,
                PatrolStop.seq < stop.seq,
                PatrolStop.scanned_at.is_(None),
            )
            .order_by(PatrolStop.seq)
        )
    )


def _expected(session: Session, scan: PatrolScan) -> dict[str, Any] | None:
    """The stop the guard should be at now (their round's next open or upcoming stop)."""
    guard = session.get(User, scan.guard_id) if scan.guard_id else None
    if guard is None:
        return None
    patrol_round = current_round(session, guard, now=scan.scanned_at)
    if patrol_round is None:
        return None
    view: dict[str, Any] | None = round_view(session, patrol_round, now=scan.scanned_at)[
        "next_stop"
    ]
    return view
