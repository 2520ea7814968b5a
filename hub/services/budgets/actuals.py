"""What an estate actually took in and spent in a year, by department, category and month:
income from the payments received (each bill is paid whole, so its lines' fee types say what
the money was for), repairs from maintenance records (engineering), common energy from the
common-area meters' lines (公摊, engineering), and finance's cost entries. Months are the
estate's calendar months."""

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
from hub.storage.models import Bill, BillLine, Building, CostEntry, Department, Home, Payment, Site

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
    rows = session.execute(
        select(Payment.paid_at, BillLine.utility, BillLine.amount)
        .join(Bill, Bill.id == Payment.bill_id)
        .join(BillLine, BillLine.bill_id == Bill.id)
        .join(Home, Home.id == Bill.home_id)
        .join(Building, Building.id == Home.building_id)
        .where(Building.site_id == site.id, Payment.paid_at >= start, Payment.paid_at < end)
    )
    return list(rows)


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
