"""满意度分析 Satisfaction and service analysis: the figures as JSON, CSV or an Excel workbook,
for administrators and customer service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import PeriodFrom, PeriodTo, QueryId
from hub.domain import Role
from hub.services import service_analysis
from hub.services.service_analysis import (
    Analysis,
    DepartmentFigures,
    Group,
    Ratings,
    Score,
    SlaMet,
)
from hub.storage.models import User

router = APIRouter(prefix="/service-analysis", tags=["work orders"])

Analyst = Annotated[User, Depends(require_role(Role.ADMIN, Role.CUSTOMER_SERVICE))]
EstateId = Annotated[QueryId, Query(description="one estate; all when absent")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ScoreOut(BaseModel):
    count: int = Field(description="answers: the sample size of the average")
    average: float | None = Field(description="mean, rounded half-up to 2 places; null: none")
    distribution: list[int] = Field(description="how many gave 1, 2, 3, 4, 5 (five counts)")


class QuestionScoreOut(BaseModel):
    key: str = Field(description="the survey question's key in rules/sla.yaml `survey:`")
    zh: str
    en: str
    score: ScoreOut


class RatingsOut(BaseModel):
    rated: int = Field(description="orders the owner rated (attitude and quality)")
    attitude: ScoreOut = Field(description="服务态度: the survey's, else the confirmation's")
    quality: ScoreOut = Field(description="维修质量: the survey's, else the confirmation's")
    questions: list[QuestionScoreOut] = Field(description="every score question of the survey")
    surveys_sent: int = Field(description="满意度回访 sent for these orders")
    surveys_answered: int
    response_pct: float | None = Field(description="answered of sent, 1 place")


class GroupOut(BaseModel):
    key: str = Field(description='"YYYY-MM", the category, or the technician\'s username')
    label: str
    orders: int
    ratings: RatingsOut


class CategoryCountOut(BaseModel):
    category: str
    orders: int
    share_pct: float | None = Field(description="of the period's orders, 1 place")


class RepeatFaultOut(BaseModel):
    subject: str = Field(description='"home" or "device"')
    estate: str = Field(description="the estate's code")
    label: str = Field(description='"B1/101", or the device\'s name and code')
    category: str
    orders: int
    first_at: datetime
    last_at: datetime
    order_ids: list[int]


class StepTimeOut(BaseModel):
    step: str = Field(
        description="accepted, assigned, arrived, completed, confirmed: the time to reach it "
        "from the step before; overall: submitted to confirmed"
    )
    count: int = Field(description="orders that took this step")
    p50_minutes: float | None = Field(description="nearest-rank median, 1 place")
    p90_minutes: float | None


class SlaMetOut(BaseModel):
    judged: int = Field(description="steps done, or past the limit undone")
    met: int = Field(description="done within the limit")
    met_pct: float | None = Field(description="met of judged, 1 place")
    pending: int = Field(description="not done yet, still within the limit")

    @classmethod
    def of(cls, sla: SlaMet) -> SlaMetOut:
        return cls(judged=sla.judged, met=sla.met, met_pct=sla.met_pct, pending=sla.pending)


class ClockMetOut(BaseModel):
    clock: str = Field(description="accept, contact, arrive or complete (the SLA file's clocks)")
    sla: SlaMetOut


class DepartmentFiguresOut(BaseModel):
    department: str = Field(description='a department, or "unrouted" (older, never routed)')
    complaints: int
    review: SlaMetOut = Field(description="reviewed within the SLA file's limit")
    contact: SlaMetOut = Field(description="owner contacted in time; out-of-scope not judged")
    reopened: int = Field(description="complaints the owner sent back at least once")
    rated: int = Field(description="closed with the owner's satisfaction (1-5)")
    satisfaction: float | None = Field(description="their mean, 2 places; None without any")

    @classmethod
    def of(cls, found: DepartmentFigures) -> DepartmentFiguresOut:
        return cls(
            department=found.department,
            complaints=found.complaints,
            review=SlaMetOut.of(found.review),
            contact=SlaMetOut.of(found.contact),
            reopened=found.reopened,
            rated=found.rated,
            satisfaction=found.satisfaction,
        )


class ComplaintFiguresOut(BaseModel):
    complaints: int = Field(description="recorded in the period")
    per_100_homes: float | None = Field(description="complaints / homes * 100, 2 places")
    review: SlaMetOut
    contact: SlaMetOut
    reopened: int
    by_department: list[DepartmentFiguresOut] = Field(
        description="every department: assigned, else the routes' suggestion"
    )


class EstateOut(BaseModel):
    id: int
    code: str
    name: str


class ServiceAnalysisOut(BaseModel):
    start: date = Field(description="the period's first day")
    end: date = Field(description="the day after its last")
    estate_id: int | None
    timezone: str = Field(description="the zone days and months are counted in")
    estates: list[EstateOut] = Field(description="every estate, for the picker")
    orders: int = Field(description="orders submitted in the period, cancelled ones left out")
    homes: int
    orders_per_100_homes: float | None
    ratings: RatingsOut
    by_month: list[GroupOut]
    by_category: list[GroupOut]
    by_technician: list[GroupOut]
    top_categories: list[CategoryCountOut]
    repeat_faults: list[RepeatFaultOut] = Field(
        description="2+ orders of one category on one home or device, each within 30 days"
    )
    steps: list[StepTimeOut]
    acceptance: SlaMetOut
    repair_clocks: list[ClockMetOut] = Field(description="SLA met % of each repair clock")
    complaints: ComplaintFiguresOut


def _score(score: Score) -> ScoreOut:
    return ScoreOut(count=score.count, average=score.average, distribution=list(score.distribution))


def _ratings(ratings: Ratings) -> RatingsOut:
    return RatingsOut(
        rated=ratings.rated,
        attitude=_score(ratings.attitude),
        quality=_score(ratings.quality),
        questions=[
            QuestionScoreOut(key=q.key, zh=q.zh, en=q.en, score=_score(q.score))
            for q in ratings.questions
        ],
        surveys_sent=ratings.surveys_sent,
        surveys_answered=ratings.surveys_answered,
        response_pct=ratings.response_pct,
    )


def _groups(groups: list[Group]) -> list[GroupOut]:
    return [
        GroupOut(key=g.key, label=g.label, orders=g.orders, ratings=_ratings(g.ratings))
        for g in groups
    ]


def _out(found: Analysis) -> ServiceAnalysisOut:
    return ServiceAnalysisOut(
        start=found.start,
        end=found.end,
        estate_id=found.estate_id,
        timezone=found.timezone,
        estates=[EstateOut(id=e.id, code=e.code, name=e.name) for e in found.estates],
        orders=found.orders,
        homes=found.homes,
        orders_per_100_homes=found.orders_per_100_homes,
        ratings=_ratings(found.ratings),
        by_month=_groups(found.by_month),
        by_category=_groups(found.by_category),
        by_technician=_groups(found.by_technician),
        top_categories=[
            CategoryCountOut(category=c.category, orders=c.orders, share_pct=c.share_pct)
            for c in found.top_categories
        ],
        repeat_faults=[
            RepeatFaultOut(
                subject=r.subject,
                estate=r.estate,
                label=r.label,
                category=r.category,
                orders=r.orders,
                first_at=r.first_at,
                last_at=r.last_at,
                order_ids=list(r.order_ids),
            )
            for r in found.repeat_faults
        ],
        steps=[
            StepTimeOut(
                step=s.step, count=s.count, p50_minutes=s.p50_minutes, p90_minutes=s.p90_minutes
            )
            for s in found.steps
        ],
        acceptance=SlaMetOut.of(found.acceptance),
        repair_clocks=[
            ClockMetOut(clock=c.clock, sla=SlaMetOut.of(c.sla)) for c in found.repair_clocks
        ],
        complaints=ComplaintFiguresOut(
            complaints=found.complaints.complaints,
            per_100_homes=found.complaints.per_100_homes,
            review=SlaMetOut.of(found.complaints.review),
            contact=SlaMetOut.of(found.complaints.contact),
            reopened=found.complaints.reopened,
            by_department=[DepartmentFiguresOut.of(d) for d in found.complaints.by_department],
        ),
    )


def _analysis(
    session: SessionDep,
    context: ContextDep,
    _: Analyst,
    from_: PeriodFrom = None,
    to: PeriodTo = None,
    estate_id: EstateId = None,
) -> Analysis:
    """The figures the query asks for: one dependency for the JSON answer and both exports."""
    return service_analysis.analyse(
        session, start=from_, end=to, estate_id=estate_id, now=context.clock.now()
    )


AnalysisDep = Annotated[Analysis, Depends(_analysis)]


def _attachment(found: Analysis, extension: str) -> dict[str, str]:
    name = f"service-analysis-{found.start:%Y%m%d}-{found.end:%Y%m%d}.{extension}"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("")
def get_analysis(found: AnalysisDep) -> ServiceAnalysisOut:
    """Ratings, problem frequency, step times and SLA met % of orders submitted in [from, to),
    and the complaints recorded then by department; without a period, the last 6 months."""
    return _out(found)


@router.get("/export.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_csv(found: AnalysisDep) -> Response:
    """The same figures as tables one after another, UTF-8 with a BOM for Excel."""
    return Response(
        service_analysis.to_csv(found),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(found, "csv"),
    )


@router.get("/export.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def export_xlsx(found: AnalysisDep) -> Response:
    """The same figures as an Excel workbook, one sheet per table."""
    return Response(
        service_analysis.to_xlsx(found), media_type=XLSX, headers=_attachment(found, "xlsx")
    )
