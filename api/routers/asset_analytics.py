"""设备故障分析 Equipment failure analytics: per asset and class for a period, the monthly trend,
the worst assets, stalled usage counters; as JSON, CSV and a monthly PDF report. Admins,
control-room operators and technicians read them; definitions in hub/services/asset_analytics."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.deps import ContextDep, SessionDep, require_role
from api.params import PeriodFrom, PeriodTo, QueryId
from api.routers.service_analysis import EstateOut
from hub.domain import AssetClass, AssetStatus, Role
from hub.services import asset_analytics
from hub.services.asset_analytics import export, report
from hub.services.billing.periods import parse_period
from hub.storage.models import User

router = APIRouter(prefix="/asset-analytics", tags=["assets"])

Reader = Annotated[User, Depends(require_role(Role.ADMIN, Role.OPERATOR, Role.TECHNICIAN))]
EstateId = Annotated[QueryId, Query(description="one estate; the first when absent")]
Days = Annotated[
    int,
    Query(ge=1, le=90, description="a counter that has not risen for this many days is stalled"),
]
Month = Annotated[
    str, Query(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", description="YYYY-MM, 2000 to 2099")
]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class FiguresOut(_Out):
    failures: int = Field(description="orders naming the asset opened in the period, not cancelled")
    repeat_failures: int = Field(description="within 30 days of the previous one's completion")
    scheduled_hours: float = Field(description="existing, in service or under repair (1 place)")
    downtime_hours: float = Field(description="union of repair intervals in scheduled time")
    operating_hours: float = Field(description="scheduled minus downtime")
    repairs_completed: int = Field(description="the period's failures completed: MTTR's sample")
    mtbf_hours: float | None = Field(description="operating hours / failures; null: no failure")
    mttr_hours: float | None = Field(description="mean opening-to-completion; null: none completed")
    failures_per_1000_hours: float | None = Field(description="per 1,000 operating hours, 2 places")
    failures_per_month: float | None = Field(description="per 30 days of operating time, 2 places")
    availability_pct: float | None = Field(description="operating / scheduled; null: not scheduled")
    maintenance_cost: str = Field(description="yuan: the records of repairs completed, '120.50'")
    pm_due: int = Field(description="preventive maintenance tasks due in the period")
    pm_on_time: int = Field(description="of those, done by their due time")
    pm_compliance_pct: float | None = Field(description="on time / due; null: none was due")

    @field_validator("maintenance_cost", mode="before")
    @classmethod
    def _yuan(cls, value: object) -> object:
        return f"{value:.2f}" if isinstance(value, Decimal) else value


class AssetRowOut(_Out):
    asset_id: int
    code: str
    name: str
    asset_class: AssetClass
    status: AssetStatus = Field(description="the asset's status now")
    figures: FiguresOut


class ClassRowOut(_Out):
    asset_class: AssetClass
    assets: int
    figures: FiguresOut


class MonthRowOut(_Out):
    month: str = Field(description='"YYYY-MM" in the estate\'s zone')
    figures: FiguresOut


class AssetAnalyticsOut(_Out):
    start: date = Field(description="the period's first day")
    end: date = Field(description="the day after its last")
    estate: EstateOut
    estates: list[EstateOut] = Field(description="every estate, for the picker")
    timezone: str
    totals: FiguresOut = Field(description="the estate's equipment together")
    by_class: list[ClassRowOut] = Field(description="classes the estate has, in the ledger's order")
    assets: list[AssetRowOut] = Field(description="every asset of the estate, by code")
    by_month: list[MonthRowOut] = Field(description="every month the period touches")
    worst: list[AssetRowOut] = Field(description="up to 10 that failed: most failures first")


class StalledCounterOut(_Out):
    asset_id: int
    asset_code: str
    asset_name: str
    asset_class: AssetClass
    device_id: int
    device_code: str
    metric: str = Field(description="run_hours, starts … or running (a 1/0 flag)")
    value: str | None = Field(description='the latest value, e.g. "812.5"; null for running')
    last_rise_at: datetime | None = Field(description="last rise, or last on; null: never on")


def _analytics(
    session: SessionDep,
    context: ContextDep,
    _: Reader,
    from_: PeriodFrom = None,
    to: PeriodTo = None,
    estate_id: EstateId = None,
) -> asset_analytics.Analytics:
    return asset_analytics.analyse(
        session, estate_id=estate_id, start=from_, end=to, now=context.clock.now()
    )


def _stalled(
    session: SessionDep,
    context: ContextDep,
    _: Reader,
    estate_id: EstateId = None,
    days: Days = asset_analytics.DEFAULT_DAYS,
) -> list[asset_analytics.StalledCounter]:
    site = asset_analytics.estate_or_first(session, estate_id)
    return asset_analytics.stalled(session, site=site, now=context.clock.now(), days=days)


AnalyticsDep = Annotated[asset_analytics.Analytics, Depends(_analytics)]
StalledDep = Annotated[list[asset_analytics.StalledCounter], Depends(_stalled)]


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("")
def get_analytics(found: AnalyticsDep) -> AssetAnalyticsOut:
    """Failures, MTBF, MTTR, availability and repeats per asset, class and month of [from, to);
    without a period, the last 6 months."""
    return AssetAnalyticsOut.model_validate(found, from_attributes=True)


@router.get("/stalled-counters")
def stalled_counters(found: StalledDep) -> list[StalledCounterOut]:
    """Usage counters of assets in service that have not risen for `days` days."""
    return [StalledCounterOut.model_validate({**asdict(s), "value": s.value_text}) for s in found]


@router.get("/export.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_csv(found: AnalyticsDep, stalled: StalledDep) -> Response:
    """The figures and the stalled counters as tables one after another, UTF-8 with a BOM."""
    name = f"asset-analytics-{found.estate.code}-{found.start:%Y%m%d}-{found.end:%Y%m%d}.csv"
    return Response(
        export.to_csv(found, stalled),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(name),
    )


@router.get(
    "/report.pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}}
)
def report_pdf(
    session: SessionDep,
    context: ContextDep,
    _: Reader,
    month: Month,
    estate_id: EstateId = None,
) -> Response:
    """设备月报: one month's figures by class, the worst assets, the stalled counters and the
    12-month trend, as an A4 PDF."""
    site = asset_analytics.estate_or_first(session, estate_id)
    pdf = report.report_pdf(session, site=site, month=parse_period(month), now=context.clock.now())
    return Response(
        pdf,
        media_type="application/pdf",
        headers=_attachment(f"equipment-report-{site.code}-{month}.pdf"),
    )
