"""预算与实际: departments, their yearly budgets through approval, finance's cost entries and
the budget-vs-actual report (JSON for the console, CSV / XLSX for the books). Staff reach the
routes; the services decide who sees which department (finance and admins all, a head their
own), so a department that is not the caller's is 404."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field, model_validator

from api.deps import ContextDep, SessionDep, require_role
from api.params import IdField, ObjectId, QueryId
from api.routers.service_analysis import XLSX
from hub.domain import STAFF_ROLES, BudgetCategory, BudgetStatus, DepartmentKind, Role
from hub.errors import InvalidInput
from hub.services import read_audit, spreadsheets
from hub.services.budgets import costs, departments, plans
from hub.services.budgets.plans import MONTHS, spread
from hub.services.budgets.report import (
    Amounts,
    BudgetReport,
    BudgetRow,
    budget_report,
    report_table,
    through_month,
)
from hub.storage.models import Budget, CostEntry, Department, User

router = APIRouter(tags=["budgets"])

Staff = Annotated[User, Depends(require_role(*STAFF_ROLES))]
Finance = Annotated[User, Depends(require_role(Role.FINANCE))]
Books = Annotated[User, Depends(require_role(Role.FINANCE, Role.ADMIN))]
Admin = Annotated[User, Depends(require_role(Role.ADMIN))]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Year = Annotated[int, Query(ge=2000, le=2100)]
YearField = Annotated[int, Field(ge=2000, le=2100)]


class DepartmentIn(BaseModel):
    site_id: IdField
    kind: DepartmentKind
    head_id: IdField
    name: str | None = Field(default=None, max_length=100)


class HeadIn(BaseModel):
    head_id: IdField


class DepartmentOut(BaseModel):
    id: int
    site_id: int
    kind: DepartmentKind
    name: str
    head_id: int
    head: str

    @classmethod
    def of(cls, d: Department) -> DepartmentOut:
        return cls(
            id=d.id,
            site_id=d.site_id,
            kind=d.kind,
            name=d.name,
            head_id=d.head_id,
            head=d.head.full_name,
        )


class DraftIn(BaseModel):
    department_id: IdField
    year: YearField


class LineIn(BaseModel):
    """A category's 12 months, or its yearly amount spread evenly over them."""

    category: BudgetCategory
    months: list[Money] | None = Field(default=None, min_length=MONTHS, max_length=MONTHS)
    yearly: Money | None = None

    @model_validator(mode="after")
    def _one_of(self) -> LineIn:
        if (self.months is None) == (self.yearly is None):
            raise ValueError("give either months (12 amounts) or yearly")
        return self

    def amounts(self) -> list[Decimal]:
        return list(self.months) if self.months is not None else spread(self.yearly or Decimal(0))


class LinesIn(BaseModel):
    lines: list[LineIn] = Field(max_length=len(BudgetCategory))


class ReturnIn(BaseModel):
    comment: str = Field(min_length=1, max_length=2000)


class LineOut(BaseModel):
    category: BudgetCategory
    months: list[str]
    total: str


class BudgetOut(BaseModel):
    id: int
    department: DepartmentOut
    year: int
    version: int
    status: BudgetStatus
    comment: str
    total: str
    lines: list[LineOut]
    may_prepare: bool

    @classmethod
    def of(cls, budget: Budget, user: User) -> BudgetOut:
        by_category: dict[BudgetCategory, list[Decimal]] = {}
        for line in budget.lines:
            by_category.setdefault(line.category, [Decimal("0.00")] * MONTHS)[line.month - 1] = (
                line.amount
            )
        return cls(
            id=budget.id,
            department=DepartmentOut.of(budget.department),
            year=budget.year,
            version=budget.version,
            status=budget.status,
            comment=budget.comment,
            total=f"{plans.total(budget):.2f}",
            lines=[
                LineOut(
                    category=c,
                    months=[f"{a:.2f}" for a in by_category[c]],
                    total=f"{sum(by_category[c], Decimal('0.00')):.2f}",
                )
                for c in BudgetCategory
                if c in by_category
            ],
            may_prepare=departments.may_prepare(user, budget.department),
        )


class CostIn(BaseModel):
    department_id: IdField
    category: BudgetCategory
    day: date
    amount: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
    voucher_no: str = Field(min_length=1, max_length=40)
    note: str = Field(default="", max_length=2000)


class ReverseIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


class CostOut(BaseModel):
    id: int
    site_id: int
    department_id: int
    department: str
    category: BudgetCategory
    day: date
    amount: str
    voucher_no: str
    note: str
    reverses_id: int | None
    reversed: bool

    @classmethod
    def of(cls, entry: CostEntry, reversed_ids: set[int]) -> CostOut:
        department = entry.department
        return cls(
            id=entry.id,
            site_id=entry.site_id,
            department_id=department.id,
            department=department.name,
            category=entry.category,
            day=entry.day,
            amount=f"{entry.amount:.2f}",
            voucher_no=entry.voucher_no,
            note=entry.note,
            reverses_id=entry.reverses_id,
            reversed=entry.id in reversed_ids,
        )


class AmountsOut(BaseModel):
    budget: str
    actual: str
    variance: str
    pct: str | None

    @classmethod
    def of(cls, a: Amounts) -> AmountsOut:
        return cls(
            budget=f"{a.budget:.2f}",
            actual=f"{a.actual:.2f}",
            variance=f"{a.variance:.2f}",
            pct=None if a.pct is None else str(a.pct),
        )


class ReportRowOut(BaseModel):
    site: str
    department_id: int | None
    department: str | None
    category: BudgetCategory
    income: bool
    months: list[AmountsOut]
    ytd: AmountsOut
    year: AmountsOut

    @classmethod
    def of(cls, row: BudgetRow) -> ReportRowOut:
        return cls(
            site=row.site,
            department_id=None if row.department is None else row.department.id,
            department=None if row.department is None else row.department.name,
            category=row.category,
            income=row.income,
            months=[AmountsOut.of(m) for m in row.months],
            ytd=AmountsOut.of(row.ytd),
            year=AmountsOut.of(row.year),
        )


class ReportOut(BaseModel):
    year: int
    through: int = Field(description="the year to date's last month")
    rows: list[ReportRowOut]
    income_total: ReportRowOut
    cost_total: ReportRowOut


@router.get("/departments")
def list_departments(
    session: SessionDep, user: Staff, site_id: QueryId = None
) -> list[DepartmentOut]:
    """Finance and admins see every department, others those they head."""
    return [DepartmentOut.of(d) for d in departments.departments(session, user, site_id)]


@router.post("/departments", status_code=201)
def create_department(
    body: DepartmentIn, session: SessionDep, context: ContextDep, user: Admin
) -> DepartmentOut:
    made = departments.create(
        session,
        site_id=body.site_id,
        kind=body.kind,
        head_id=body.head_id,
        name=body.name,
        by=user,
        now=context.clock.now(),
    )
    return DepartmentOut.of(made)


@router.put("/departments/{department_id}/head")
def set_department_head(
    department_id: ObjectId, body: HeadIn, session: SessionDep, context: ContextDep, user: Admin
) -> DepartmentOut:
    changed = departments.set_head(
        session, department_id, head_id=body.head_id, by=user, now=context.clock.now()
    )
    return DepartmentOut.of(changed)


@router.get("/budgets")
def list_budgets(
    session: SessionDep, user: Staff, year: Year | None = None, site_id: QueryId = None
) -> list[BudgetOut]:
    """Every version the caller may read: newest year first, by department and version."""
    return [BudgetOut.of(b, user) for b in plans.budgets(session, user, year=year, site_id=site_id)]


@router.post("/budgets", status_code=201)
def draft_budget(body: DraftIn, session: SessionDep, context: ContextDep, user: Staff) -> BudgetOut:
    """The year's first draft, or the next version of an approved budget (a copy of it)."""
    made = plans.draft(
        session, department_id=body.department_id, year=body.year, by=user, now=context.clock.now()
    )
    return BudgetOut.of(made, user)


@router.get("/budgets/{budget_id}")
def get_budget(budget_id: ObjectId, session: SessionDep, user: Staff) -> BudgetOut:
    return BudgetOut.of(plans.readable_or_raise(session, budget_id, user), user)


@router.put("/budgets/{budget_id}/lines")
def set_budget_lines(
    budget_id: ObjectId, body: LinesIn, session: SessionDep, context: ContextDep, user: Staff
) -> BudgetOut:
    """Replace a draft's (or returned budget's) lines."""
    plan = {line.category: line.amounts() for line in body.lines}
    if len(plan) != len(body.lines):
        raise InvalidInput("lines: a category appears twice")
    changed = plans.set_lines(session, budget_id, plan, by=user, now=context.clock.now())
    return BudgetOut.of(changed, user)


@router.post("/budgets/{budget_id}/submit")
def submit_budget(
    budget_id: ObjectId, session: SessionDep, context: ContextDep, user: Staff
) -> BudgetOut:
    return BudgetOut.of(plans.submit(session, budget_id, by=user, now=context.clock.now()), user)


@router.post("/budgets/{budget_id}/approve")
def approve_budget(
    budget_id: ObjectId, session: SessionDep, context: ContextDep, user: Finance
) -> BudgetOut:
    return BudgetOut.of(plans.approve(session, budget_id, by=user, now=context.clock.now()), user)


@router.post("/budgets/{budget_id}/return")
def return_budget(
    budget_id: ObjectId, body: ReturnIn, session: SessionDep, context: ContextDep, user: Finance
) -> BudgetOut:
    """Back to the head with finance's comment; they edit and submit again."""
    returned = plans.return_(
        session, budget_id, comment=body.comment, by=user, now=context.clock.now()
    )
    return BudgetOut.of(returned, user)


@router.get("/cost-entries")
def list_cost_entries(
    session: SessionDep, user: Books, year: Year, site_id: QueryId = None
) -> list[CostOut]:
    found = costs.entries(session, year=year, site_id=site_id)
    reversed_ids = {e.reverses_id for e in found if e.reverses_id is not None}
    return [CostOut.of(entry, reversed_ids) for entry in found]


@router.post("/cost-entries", status_code=201)
def record_cost_entry(
    body: CostIn, session: SessionDep, context: ContextDep, user: Finance
) -> CostOut:
    data = costs.CostData(
        body.department_id, body.category, body.day, body.amount, body.voucher_no, body.note
    )
    entry = costs.record(session, data, by=user, now=context.clock.now())
    return CostOut.of(entry, set())


@router.post("/cost-entries/{entry_id}/reverse", status_code=201)
def reverse_cost_entry(
    entry_id: ObjectId, body: ReverseIn, session: SessionDep, context: ContextDep, user: Finance
) -> CostOut:
    """A reversing entry of the opposite amount; the entry itself is never edited."""
    entry = costs.reverse(session, entry_id, note=body.note, by=user, now=context.clock.now())
    return CostOut.of(entry, set())


def _report(
    session: SessionDep,
    context: ContextDep,
    user: Staff,
    year: Year,
    through: Annotated[int | None, Query(ge=1, le=12, description="YTD's last month")] = None,
    site_id: QueryId = None,
    department_id: QueryId = None,
) -> BudgetReport:
    last = through or through_month(year, context.clock.now())
    found = budget_report(
        session, user, year=year, through=last, site_id=site_id, department_id=department_id
    )
    read_audit.staff_read(
        session, user, at=context.clock.now(), target="budget_report", detail=f"{year}..{last}"
    )
    return found


ReportDep = Annotated[BudgetReport, Depends(_report)]


def _attachment(report: BudgetReport, extension: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="budget-{report.year}.{extension}"'}


@router.get("/reports/budget")
def budget_vs_actual(report: ReportDep) -> ReportOut:
    """Budget, actual, variance and % of budget per department, category and month, with the
    year to date and the income and cost totals."""
    return ReportOut(
        year=report.year,
        through=report.through,
        rows=[ReportRowOut.of(row) for row in report.rows],
        income_total=ReportRowOut.of(report.total(True)),
        cost_total=ReportRowOut.of(report.total(False)),
    )


@router.get(
    "/reports/budget.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}}
)
def budget_csv(report: ReportDep) -> Response:
    """The same rows, a line per month and the year to date, UTF-8 with a BOM for Excel."""
    body = spreadsheets.to_csv([report_table(report)])
    return Response(body, media_type="text/csv; charset=utf-8", headers=_attachment(report, "csv"))


@router.get(
    "/reports/budget.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}}
)
def budget_xlsx(report: ReportDep) -> Response:
    body = spreadsheets.to_xlsx([report_table(report)])
    return Response(body, media_type=XLSX, headers=_attachment(report, "xlsx"))
