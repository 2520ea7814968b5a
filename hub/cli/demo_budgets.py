"""The demo estate's budget vs actual (预算与实际): this year's budgets of its six departments
(from the sample site file), drafted by their heads and approved by finance, and finance's
cost entries for each month so far (a little over or under budget), so the report shows
numbers; preparing again adds nothing."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import BudgetCategory, DepartmentKind
from hub.services.budgets import costs, plans
from hub.services.budgets.costs import CostData
from hub.services.tariffs import round_money
from hub.storage.models import Budget, Department, Site, User

C = BudgetCategory
YEARLY = {  # what each department budgets for the year, spread evenly over the months
    DepartmentKind.ENGINEERING: {C.LABOUR: "180000", C.REPAIRS: "24000", C.COMMON_ENERGY: "36000"},
    DepartmentKind.SECURITY: {C.SECURITY: "240000"},
    DepartmentKind.CUSTOMER_SERVICE: {C.LABOUR: "96000"},
    DepartmentKind.CLEANING: {C.CLEANING: "120000"},
    DepartmentKind.GREENING: {C.GREENING: "36000"},
    DepartmentKind.ADMIN: {C.PROPERTY_FEE: "12000", C.UTILITIES: "6000", C.ADMIN: "24000"},
}
COSTS = (  # department, category, a month's amount, what it paid for: booked every month so far
    (DepartmentKind.ENGINEERING, C.LABOUR, "15000.00", "工程部工资 Engineering payroll"),
    (DepartmentKind.ENGINEERING, C.COMMON_ENERGY, "2950.00", "公区电费 Common-area power"),
    (DepartmentKind.SECURITY, C.SECURITY, "19500.00", "保安外包服务费 Guard services"),
    (DepartmentKind.CUSTOMER_SERVICE, C.LABOUR, "8000.00", "客服部工资 Service desk payroll"),
    (DepartmentKind.CLEANING, C.CLEANING, "9800.00", "保洁外包服务费 Cleaning services"),
    (DepartmentKind.GREENING, C.GREENING, "2650.00", "苗木补种 Replanting"),
    (DepartmentKind.ADMIN, C.ADMIN, "1860.00", "办公用品 Office supplies"),
)
SWING = (Decimal("1.00"), Decimal("1.04"), Decimal("0.97"), Decimal("1.02"), Decimal("0.95"))


def seed(session: Session, *, site_id: int, now: datetime) -> bool:
    """Seed the estate's budgets and cost entries; False when it has some budget."""
    if session.scalar(select(Budget.id)):
        return False
    finance = session.scalars(select(User).where(User.username == "finance")).one()
    site = session.get(Site, site_id)
    assert site is not None
    today = now.astimezone(ZoneInfo(site.timezone)).date()
    made = {
        d.kind: d for d in session.scalars(select(Department).where(Department.site_id == site_id))
    }
    for kind, department in made.items():
        head = department.head
        budget = plans.draft(
            session, department_id=department.id, year=today.year, by=head, now=now
        )
        plan = {c: plans.spread(Decimal(amount)) for c, amount in YEARLY[kind].items()}
        plans.set_lines(session, budget.id, plan, by=head, now=now)
        plans.submit(session, budget.id, by=head, now=now)
        plans.approve(session, budget.id, by=finance, now=now)
    for month in range(1, today.month + 1):
        for n, (kind, category, amount, note) in enumerate(COSTS, start=1):
            swung = round_money(Decimal(amount) * SWING[(month + n) % len(SWING)])
            voucher = f"记-{month:02d}-{n:03d}"
            day = date(today.year, month, 1)
            data = CostData(made[kind].id, category, day, swung, voucher, note)
            costs.record(session, data, by=finance, now=now)
    return True
