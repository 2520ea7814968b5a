"""The figures of 满意度分析: what owners rated, what broke how often, how long each step took.

An order belongs to the period when it was submitted in [start, end) (the estate's local days);
cancelled orders are left out. Filtering and counting are SQL; percentiles, repeat runs and the
per-group ratings are Python over the period's rows (a few thousand a year for an estate), so
the same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from hub.domain import WorkOrderStatus
from hub.errors import InvalidInput, NotFound
from hub.services import sla_clocks, sla_policy
from hub.services.service_analysis import survey_answers
from hub.services.service_analysis.complaint_figures import ComplaintFigures, complaint_figures
from hub.services.service_analysis.judging import SlaMet, judge
from hub.services.service_analysis.stats import (
    AVERAGE_PLACES,
    PERCENT_PLACES,
    average,
    nearest_rank,
    percent,
    rounded,
)
from hub.services.service_analysis.survey_answers import OrderSurveys
from hub.services.sla_policy import ClockName
from hub.services.survey_policy import QuestionKind
from hub.storage.models import Building, Home, Site, WorkOrder

REPEAT_WITHIN = timedelta(days=30)  # the same fault again within 30 days is a repeat
TOP_CATEGORIES = 10
RATINGS = (1, 2, 3, 4, 5)
DEFAULT_TIMEZONE = "Asia/Shanghai"

# (step, from, to): the time to reach `step` from the one before; "overall" is end to end
STEPS: tuple[tuple[str, str, str], ...] = (
    ("accepted", "created_at", "accepted_at"),
    ("assigned", "accepted_at", "assigned_at"),
    ("arrived", "assigned_at", "arrived_at"),
    ("completed", "arrived_at", "completed_at"),
    ("confirmed", "completed_at", "confirmed_at"),
    ("overall", "created_at", "confirmed_at"),
)


@dataclass(frozen=True)
class Score:
    """One rating question: how many answered, their mean, and how many gave 1, 2, ... 5."""

    count: int
    average: float | None
    distribution: tuple[int, int, int, int, int]


@dataclass(frozen=True)
class QuestionScore:
    """A score question of the survey (rules/sla.yaml `survey:`), as configured now."""

    key: str
    zh: str
    en: str
    score: Score


@dataclass(frozen=True)
class Ratings:
    rated: int  # orders with both an attitude and a quality rating
    attitude: Score
    quality: Score
    questions: tuple[QuestionScore, ...]  # every score question, attitude and quality too
    surveys_sent: int
    surveys_answered: int
    response_pct: float | None  # answered of sent


@dataclass(frozen=True)
class _Rater:
    """Rates a set of orders from their surveys (and their own confirmation ratings)."""

    surveys: dict[int, OrderSurveys]

    def __call__(self, orders: Sequence[WorkOrder]) -> Ratings:
        found = [(o, self.surveys.get(o.id, survey_answers.NONE)) for o in orders]

        def values(key: str) -> list[int]:
            scores = (survey_answers.score(o, s, key) for o, s in found)
            return [v for v in scores if v is not None]

        rated = sum(
            1
            for o, s in found
            if None not in (survey_answers.score(o, s, k) for k in ("attitude", "quality"))
        )
        questions = tuple(
            QuestionScore(q.key, q.zh, q.en, _score(values(q.key)))
            for q in sla_policy.current().survey.questions
            if q.kind is QuestionKind.SCORE
        )
        sent = sum(s.sent for _, s in found)
        answered = sum(s.answered for _, s in found)
        return Ratings(
            rated=rated,
            attitude=_score(values("attitude")),
            quality=_score(values("quality")),
            questions=questions,
            surveys_sent=sent,
            surveys_answered=answered,
            response_pct=percent(answered, sent),
        )


@dataclass(frozen=True)
class Group:
    """Orders sharing a month, category or technician, and their ratings."""

    key: str
    label: str
    orders: int
    ratings: Ratings


@dataclass(frozen=True)
class CategoryCount:
    category: str
    orders: int
    share_pct: float | None


@dataclass(frozen=True)
class RepeatFault:
    """Orders of one category for one home or device, each within 30 days of the one before."""

    subject: str  # "home" | "device"
    estate: str
    label: str
    category: str
    orders: int
    first_at: datetime
    last_at: datetime
    order_ids: tuple[int, ...]


@dataclass(frozen=True)
class StepTime:
    step: str
    count: int
    p50_minutes: float | None
    p90_minutes: float | None


@dataclass(frozen=True)
class ClockMet:
    """One repair clock (accept, contact, arrive, complete) over the period's orders."""

    clock: str
    sla: SlaMet


@dataclass(frozen=True)
class Estate:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Analysis:
    start: date
    end: date
    estate_id: int | None
    timezone: str
    estates: list[Estate]
    orders: int
    homes: int
    orders_per_100_homes: float | None
    ratings: Ratings
    by_month: list[Group]
    by_category: list[Group]
    by_technician: list[Group]
    top_categories: list[CategoryCount]
    repeat_faults: list[RepeatFault]
    steps: list[StepTime]
    acceptance: SlaMet
    repair_clocks: list[ClockMet]
    complaints: ComplaintFigures


def analyse(
    session: Session,
    *,
    start: date | None,
    end: date | None,
    estate_id: int | None,
    now: datetime,
) -> Analysis:
    """Every figure for orders submitted in [start, end), of one estate or all of them; without
    a period, the last 6 months up to the end of the current one."""
    default_start, default_end = default_period(now)
    start, end = start or default_start, end or default_end
    if end <= start:
        raise InvalidInput("to: must be after from", code="analysis_period")
    estates = [
        Estate(site.id, site.code, site.name)
        for site in session.scalars(select(Site).order_by(Site.id))
    ]
    site = session.get(Site, estate_id) if estate_id is not None else None
    if estate_id is not None and site is None:
        raise NotFound(f"estate {estate_id} does not exist")
    timezone = site.timezone if site else _shared_timezone(session)
    zone = ZoneInfo(timezone)
    since, until = (datetime.combine(day, time(), zone) for day in (start, end))
    counted = _counted(since, until, site)
    orders = list(
        session.scalars(
            select(WorkOrder).where(*counted).order_by(WorkOrder.created_at, WorkOrder.id)
        ).unique()
    )
    homes = _home_count(session, site)
    clocks = _clocks_met(orders, now)
    rate = _Rater(survey_answers.by_order(session, [o.id for o in orders]))
    site_codes = {estate.id: estate.code for estate in estates}
    return Analysis(
        start=start,
        end=end,
        estate_id=estate_id,
        timezone=timezone,
        estates=estates,
        orders=len(orders),
        homes=homes,
        orders_per_100_homes=rounded(100 * len(orders), homes, AVERAGE_PLACES),
        ratings=rate(orders),
        by_month=_by_month(orders, rate, zone, start, end),
        by_category=_groups(orders, rate, lambda o: (o.category, o.category)),
        by_technician=_groups(
            [o for o in orders if o.assignee is not None],
            rate,
            lambda o: (o.assignee.username, o.assignee.full_name) if o.assignee else ("", ""),
        ),
        top_categories=_top_categories(session, counted, len(orders)),
        repeat_faults=_repeat_faults(orders, site_codes),
        steps=[_step(orders, *step) for step in STEPS],
        acceptance=clocks[0].sla,
        repair_clocks=clocks,
        complaints=complaint_figures(
            session, since=since, until=until, site_id=estate_id, homes=homes, now=now
        ),
    )


def default_period(now: datetime) -> tuple[date, date]:
    """From the first of the month 5 months back to the first of next month (Shanghai time)."""
    today = now.astimezone(ZoneInfo(DEFAULT_TIMEZONE)).date()
    months = today.year * 12 + today.month - 1
    first = months - 5
    return date(first // 12, first % 12 + 1, 1), date((months + 1) // 12, (months + 1) % 12 + 1, 1)


def _counted(since: datetime, until: datetime, site: Site | None) -> list[ColumnElement[bool]]:
    """The orders the analysis counts: submitted in [since, until), not cancelled, of `site`."""
    counted = [
        WorkOrder.created_at >= since,
        WorkOrder.created_at < until,
        WorkOrder.status != WorkOrderStatus.CANCELLED,
    ]
    return counted if site is None else [*counted, WorkOrder.site_id == site.id]


def _shared_timezone(session: Session) -> str:
    """All estates' months in one zone: the first estate's (the sample's is Asia/Shanghai)."""
    first = session.scalar(select(Site.timezone).order_by(Site.id).limit(1))
    return first or DEFAULT_TIMEZONE


def _home_count(session: Session, site: Site | None) -> int:
    query = select(func.count(Home.id)).join(Building, Home.building_id == Building.id)
    if site is not None:
        query = query.where(Building.site_id == site.id)
    return session.scalar(query) or 0


def _score(values: Sequence[int]) -> Score:
    counts = tuple(sum(1 for v in values if v == r) for r in RATINGS)
    return Score(len(values), average(values), counts)  # type: ignore[arg-type]


def _groups(
    orders: Sequence[WorkOrder], rate: _Rater, key: Callable[[WorkOrder], tuple[str, str]]
) -> list[Group]:
    """Orders grouped by `key` (key, label), sorted by key."""
    grouped: dict[tuple[str, str], list[WorkOrder]] = defaultdict(list)
    for order in orders:
        grouped[key(order)].append(order)
    return [
        Group(k, label, len(members), rate(members))
        for (k, label), members in sorted(grouped.items())
    ]


def _by_month(
    orders: Sequence[WorkOrder], rate: _Rater, zone: ZoneInfo, start: date, end: date
) -> list[Group]:
    """Every month the period touches, in order, those without orders too (a gap in the trend
    is news)."""
    found = {
        g.key: g
        for g in _groups(orders, rate, lambda o: (_month(o.created_at.astimezone(zone)),) * 2)
    }
    final = end - timedelta(days=1)
    months = []
    for index in range(start.year * 12 + start.month - 1, final.year * 12 + final.month):
        key = f"{index // 12:04d}-{index % 12 + 1:02d}"
        months.append(found.get(key) or Group(key, key, 0, rate([])))
    return months


def _month(day: date) -> str:
    return f"{day:%Y-%m}"


def _top_categories(
    session: Session, counted: Sequence[ColumnElement[bool]], total: int
) -> list[CategoryCount]:
    """The most frequent categories (问题频次), counted in SQL; ties by name."""
    count = func.count(WorkOrder.id)
    rows = session.execute(
        select(WorkOrder.category, count)
        .where(*counted)
        .group_by(WorkOrder.category)
        .order_by(count.desc(), WorkOrder.category)
        .limit(TOP_CATEGORIES)
    ).all()
    return [CategoryCount(category, n, percent(n, total)) for category, n in rows]


def _repeat_faults(orders: Sequence[WorkOrder], site_codes: dict[int, str]) -> list[RepeatFault]:
    """Runs of 2+ orders of one category on one home or device, each within 30 days of the
    previous one (重复报修), newest run first."""
    keyed: dict[tuple[str, int, str], list[WorkOrder]] = defaultdict(list)
    for order in orders:  # already in submission order
        if order.home_id is not None:
            keyed[("home", order.home_id, order.category)].append(order)
        if order.device_id is not None:
            keyed[("device", order.device_id, order.category)].append(order)
    found: list[RepeatFault] = []
    for (subject, _, category), members in keyed.items():
        for run in _runs(members):
            if len(run) >= 2:
                found.append(_repeat(subject, run, category, site_codes))
    return sorted(found, key=lambda r: (r.last_at, r.label), reverse=True)


def _runs(orders: Sequence[WorkOrder]) -> list[list[WorkOrder]]:
    """`orders` cut wherever one comes more than 30 days after the one before."""
    runs: list[list[WorkOrder]] = []
    for order in orders:
        if runs and order.created_at - runs[-1][-1].created_at <= REPEAT_WITHIN:
            runs[-1].append(order)
        else:
            runs.append([order])
    return runs


def _repeat(
    subject: str, run: Sequence[WorkOrder], category: str, site_codes: dict[int, str]
) -> RepeatFault:
    first = run[0]
    if subject == "home" and first.home is not None:
        label = f"{first.home.building.code}/{first.home.code}"
    elif first.device is not None:
        label = f"{first.device.name} ({first.device.code})"
    else:
        label = "?"
    return RepeatFault(
        subject=subject,
        estate=site_codes.get(first.site_id, ""),
        label=label,
        category=category,
        orders=len(run),
        first_at=first.created_at,
        last_at=run[-1].created_at,
        order_ids=tuple(o.id for o in run),
    )


def _step(orders: Sequence[WorkOrder], step: str, since: str, until: str) -> StepTime:
    """p50 and p90 in minutes of one step over the orders that reached it."""
    took: list[timedelta] = []
    for order in orders:
        begin, done = getattr(order, since), getattr(order, until)
        if begin is not None and done is not None:
            took.append(done - begin)
    took.sort()
    return StepTime(
        step, len(took), _minutes(nearest_rank(took, 50)), _minutes(nearest_rank(took, 90))
    )


def _minutes(value: timedelta | None) -> float | None:
    """Whole microseconds to minutes, rounded half-up to 1 place like every other figure."""
    if value is None:
        return None
    return rounded(value // timedelta(microseconds=1), 60_000_000, PERCENT_PLACES)


def _clocks_met(orders: Sequence[WorkOrder], now: datetime) -> list[ClockMet]:
    """Each clock met within the SLA policy (受理及时率 for accept; business hours and waits for
    the owner as the policy says): a step done in time is met, one done late or still undone
    past its deadline missed, one still inside it pending. Accept comes first."""
    spec = sla_policy.current()
    judged: dict[ClockName, list[tuple[bool, bool]]] = {name: [] for name in ClockName}
    for order in orders:
        for clock in sla_clocks.clocks(order, spec, now=now):
            judged[clock.name].append((clock.met_at is not None, clock.breached))
    return [ClockMet(name.value, judge(judged[name])) for name in ClockName]
