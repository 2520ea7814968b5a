"""预算与实际: each department's approved budget against the actuals, by estate, category and
month, with the year to date, the variance (actual - budget) and the actual as a % of budget;
finance and admins read every department, a head their own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import INCOME, BudgetCategory, BudgetStatus
from hub.services.budgets.actuals import Cell, actuals
from hub.services.budgets.departments import READ_ALL
from hub.services.budgets.labels import CATEGORY_LABELS, UNASSIGNED
from hub.services.budgets.plans import MONTHS
from hub.services.spreadsheets import Cell as SheetCell
from hub.services.spreadsheets import Table
from hub.storage.models import Budget, BudgetLine, Department, Site, User

PERCENT = Decimal("0.1")
ZERO = Decimal("0.00")
HEADER = (
    "小区 Estate",
    "部门 Department",
    "类别 Category",
    "月份 Month",
    "预算 Budget",
    "实际 Actual",
    "差异 Variance",
    "占预算 % of budget",
)


@dataclass(frozen=True)
class Amounts:
    budget: Decimal
    actual: Decimal

    @property
    def variance(self) -> Decimal:
        return self.actual - self.budget

    @property
    def pct(self) -> Decimal | None:
        """The actual as a percentage of the budget, to one decimal; None with no budget."""
        if not self.budget:
            return None
        return (self.actual * 100 / self.budget).quantize(PERCENT, rounding=ROUND_HALF_UP)


def added(amounts: Sequence[Amounts]) -> Amounts:
    return Amounts(sum((a.budget for a in amounts), ZERO), sum((a.actual for a in amounts), ZERO))


@dataclass(frozen=True)
class BudgetRow:
    """One department's one category through the year; `department` None holds the actuals of
    a department the estate has not set up."""

    site: str
    department: Department | None
    category: BudgetCategory
    months: tuple[Amounts, ...]  # January to December
    through: int  # the year to date ends with this month

    @property
    def ytd(self) -> Amounts:
        return added(self.months[: self.through])

    @property
    def year(self) -> Amounts:
        return added(self.months)

    @property
    def income(self) -> bool:
        return self.category in INCOME


@dataclass(frozen=True)
class BudgetReport:
    year: int
    through: int
    rows: list[BudgetRow]

    def total(self, income: bool) -> BudgetRow:
        """The income (or the cost) rows as one."""
        chosen = [row for row in self.rows if row.income == income]
        months = tuple(added([row.months[m] for row in chosen]) for m in range(MONTHS))
        category = BudgetCategory.OTHER_INCOME if income else BudgetCategory.OTHER_COST
        return BudgetRow("", None, category, months, self.through)


def through_month(year: int, now: datetime, timezone: str = "Asia/Shanghai") -> int:
    """The year to date's last month: this month in the current year, December for others."""
    local = now.astimezone(ZoneInfo(timezone))
    return local.month if local.year == year else MONTHS


def budget_report(
    session: Session,
    user: User,
    *,
    year: int,
    through: int,
    site_id: int | None = None,
    department_id: int | None = None,
) -> BudgetReport:
    """The rows `user` may read: every department for finance and admins, a head's own."""
    sites = session.scalars(select(Site).order_by(Site.code))
    rows: list[BudgetRow] = []
    for site in sites:
        if site_id is not None and site.id != site_id:
            continue
        rows += _site_rows(session, site, year, through)
    return BudgetReport(year, through, [r for r in rows if _shown(r, user, department_id)])


def _shown(row: BudgetRow, user: User, department_id: int | None) -> bool:
    if department_id is not None and (row.department is None or row.department.id != department_id):
        return False
    if user.role in READ_ALL:
        return True
    return row.department is not None and row.department.head_id == user.id


def _site_rows(session: Session, site: Site, year: int, through: int) -> list[BudgetRow]:
    budgeted = _approved_lines(session, site, year)
    actual = actuals(session, site, year)
    departments = {
        d.id: d
        for d in session.scalars(
            select(Department).where(Department.site_id == site.id).order_by(Department.id)
        )
    }
    keys = {(d, c) for d, c, _ in [*budgeted, *actual]}
    order = list(departments)
    ordered = sorted(
        keys,
        key=lambda k: (
            order.index(k[0]) if k[0] is not None else len(order),
            list(BudgetCategory).index(k[1]),
        ),
    )
    return [
        BudgetRow(
            site.name,
            None if dept is None else departments[dept],
            category,
            tuple(
                Amounts(
                    budgeted.get((dept, category, m), ZERO),
                    actual.get((dept, category, m), ZERO),
                )
                for m in range(1, MONTHS + 1)
            ),
            through,
        )
        for dept, category in ordered
    ]


def _approved_lines(session: Session, site: Site, year: int) -> dict[Cell, Decimal]:
    """The cells of the estate's approved budgets for the year (one version per department)."""
    rows = session.execute(
        select(Budget.department_id, BudgetLine.category, BudgetLine.month, BudgetLine.amount)
        .join(BudgetLine, BudgetLine.budget_id == Budget.id)
        .join(Department, Department.id == Budget.department_id)
        .where(
            Department.site_id == site.id,
            Budget.year == year,
            Budget.status == BudgetStatus.APPROVED,
        )
    )
    return {(d, c, m): amount for d, c, m, amount in rows}


def report_table(report: BudgetReport) -> Table:
    """The report as one spreadsheet table: each row's months and its year to date, then the
    income and cost totals."""
    ytd = f"累计 YTD {report.year}-01..{report.year}-{report.through:02d}"
    cells: list[tuple[SheetCell, ...]] = []
    for row in [*report.rows, report.total(True), report.total(False)]:
        labels = _labels(row)
        for month, amounts in enumerate(row.months, start=1):
            cells.append((*labels, f"{report.year}-{month:02d}", *_money(amounts)))
        cells.append((*labels, ytd, *_money(row.ytd)))
    return Table(f"预算与实际 Budget vs actual {report.year}", HEADER, cells)


def _labels(row: BudgetRow) -> tuple[str, str, str]:
    if not row.site:
        total = "收入合计 Income total" if row.income else "支出合计 Cost total"
        return ("合计 Total", "", total)
    department = UNASSIGNED if row.department is None else row.department.name
    return (row.site, department, CATEGORY_LABELS[row.category])


def _money(amounts: Amounts) -> tuple[Decimal, Decimal, Decimal, Decimal | None]:
    """As numbers, so a negative variance is not text (the formula guard quotes "-...")."""
    return (amounts.budget, amounts.actual, amounts.variance, amounts.pct)
