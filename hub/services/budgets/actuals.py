"""What an estate actually took in and spent in a year, by department, category and month:
income from the money put on bills (payments and the prepaid balance applied, less refunds,
each spread over its bill's lines in order, so their fee types say what it was for; a
prepayment not yet applied is no income yet), repairs from maintenance records
(engineering), common energy from the common-area meters' lines (公摊, engineering), and
finance's cost entries. Months are the estate's calendar months."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import BudgetCategory, DepartmentKind, Utility
from hub.services.billing.periods import parse_period
from hub.services.maintenance_costs import completed_records
from hub.services.maintenance_records import total_cost
from hub.storage.models import (
    Bill,
    BillLine,
    Building,
    CostEntry,
    Department,
    Home,
    PaymentAllocation,
    Site,
)

Cell = tuple[int | None, BudgetCategory, int]  # department id (None: not set up), category, month
INCOME_OF = {
    Utility.PROPERTY_FEE: BudgetCategory.PROPERTY_FEE,
    Utility.ELECTRICITY: BudgetCategory.UTILITIES,
    Utility.WATER: BudgetCategory.UTILITIES,
    Utility.LATE_FEE: BudgetCategory.OTHER_INCOME,
}


def actuals(session: Session, site: Site, year: int) -> dict[Cell, Decimal]:
    """Every non-empty cell of the estate's year."""
    zone = ZoneInfo(site.timezone)
    start, end = datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
    kinds = {
        d.kind: d.id
        for d in session.scalars(select(Department).where(Department.site_id == site.id))
    }
    admin, engineering = kinds.get(DepartmentKind.ADMIN), kinds.get(DepartmentKind.ENGINEERING)
    found: dict[Cell, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for paid_at, utility, amount in _paid_lines(session, site, start, end):
        found[admin, INCOME_OF[utility], paid_at.astimezone(zone).month] += amount
    for order, record in completed_records(session, site.id, start, end):
        completed = cast(datetime, order.completed_at)  # the query keeps completed orders
        found[engineering, BudgetCategory.REPAIRS, completed.astimezone(zone).month] += total_cost(
            record
        )
    for period, amount in _common_energy(session, site, year):
        found[engineering, BudgetCategory.COMMON_ENERGY, parse_period(period).month] += amount
    for entry in session.scalars(
        select(CostEntry).where(
            CostEntry.site_id == site.id,
            CostEntry.day >= date(year, 1, 1),
            CostEntry.day <= date(year, 12, 31),
        )
    ):
        found[entry.department_id, entry.category, entry.day.month] += entry.amount
    return {cell: amount for cell, amount in found.items() if amount}


def _paid_lines(
    session: Session, site: Site, start: datetime, end: datetime
) -> list[tuple[datetime, Utility, Decimal]]:
    """Each allocation of the year (a payment, the prepaid balance applied, a refund taking some
    back) spread over its bill's lines in their order, as the collection report does: the
    principal before late fees."""
    allocations = session.execute(
        select(PaymentAllocation.bill_id, PaymentAllocation.at, PaymentAllocation.amount)
        .join(Bill, Bill.id == PaymentAllocation.bill_id)
        .join(Home, Home.id == Bill.home_id)
        .join(Building, Building.id == Home.building_id)
        .where(Building.site_id == site.id, PaymentAllocation.at < end)
        .order_by(PaymentAllocation.bill_id, PaymentAllocation.at, PaymentAllocation.id)
    ).all()
    lines: dict[int, list[tuple[Utility, Decimal]]] = defaultdict(list)
    for bill_id, utility, amount in session.execute(
        select(BillLine.bill_id, BillLine.utility, BillLine.amount)
        .where(BillLine.bill_id.in_({bill_id for bill_id, _, _ in allocations}))
        .order_by(BillLine.id)
    ):
        lines[bill_id].append((utility, amount))
    found: list[tuple[datetime, Utility, Decimal]] = []
    covered: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for bill_id, at, amount in allocations:
        before, after = covered[bill_id], covered[bill_id] + amount
        covered[bill_id] = after
        if at < start:
            continue
        floor = Decimal("0.00")
        for utility, line_amount in lines[bill_id]:
            share = _within(after, floor, line_amount) - _within(before, floor, line_amount)
            if share:
                found.append((at, utility, share))
            floor += line_amount
    return found


def _within(paid: Decimal, floor: Decimal, amount: Decimal) -> Decimal:
    """What of a line from `floor` to `floor + amount` a bill's `paid` covers."""
    return min(max(paid - floor, Decimal("0.00")), amount)


def _common_energy(session: Session, site: Site, year: int) -> list[tuple[str, Decimal]]:
    """What the common-area meters cost each billed month: their lines shared among homes."""
    rows = session.execute(
        select(Bill.period, BillLine.amount)
        .join(Bill, Bill.id == BillLine.bill_id)
        .join(Home, Home.id == Bill.home_id)
        .join(Building, Building.id == Home.building_id)
        .where(
            Building.site_id == site.id,
            BillLine.share_basis.is_not(None),
            Bill.period >= f"{year:04d}-01",
            Bill.period <= f"{year:04d}-12",
        )
    )
    return list(rows)
