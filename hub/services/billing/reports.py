"""收缴率: what was billed and what of it has been collected, by month, estate, building and fee
type, for finance's reports and their CSV / XLSX export. Collected is what was allocated to
the bills (payments and the prepaid balance, less refunds); a partly paid bill's money covers
its lines in their order (so the principal before late fees, which come last). A credited bill
(冲销) counts nowhere: its re-bill does."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import BillStatus, Utility
from hub.services.billing.periods import parse_period
from hub.services.billing.text import UTILITY_LABELS
from hub.services.spreadsheets import Cell, Table
from hub.storage.models import Bill, BillLine, Building, Home, Site

PERCENT = Decimal("0.1")
HEADER = (
    "账期 Period",
    "小区 Estate",
    "楼栋 Building",
    "费用 Fee",
    "应收 Billed",
    "已收 Collected",
    "未收 Outstanding",
    "收缴率 Rate %",
)


@dataclass(frozen=True)
class CollectionRow:
    period: str
    site: str
    building: str
    fee: Utility
    billed: Decimal
    collected: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.billed - self.collected

    @property
    def rate_pct(self) -> Decimal | None:
        """Collected share of billed, in percent to one decimal; None with nothing billed."""
        if not self.billed:
            return None
        return (self.collected * 100 / self.billed).quantize(PERCENT, rounding=ROUND_HALF_UP)


def collection(
    session: Session, *, first: str, last: str, site_id: int | None = None
) -> list[CollectionRow]:
    """Every (month, estate, building, fee type) from `first` to `last` ("YYYY-MM", inclusive),
    in that order."""
    start, end = parse_period(first).text, parse_period(last).text
    query = (
        select(
            Bill.id,
            Bill.paid,
            Bill.period,
            Site.code,
            Site.name,
            Building.code,
            Building.name,
            BillLine.utility,
            BillLine.amount,
        )
        .join(BillLine, BillLine.bill_id == Bill.id)
        .join(Home, Home.id == Bill.home_id)
        .join(Building, Building.id == Home.building_id)
        .join(Site, Site.id == Building.site_id)
        .where(
            Bill.period >= start,
            Bill.period <= end,
            Bill.status != BillStatus.CREDITED,  # a credited bill is billed by its re-bill
        )
        .order_by(Bill.id, BillLine.id)
    )
    if site_id is not None:
        query = query.where(Site.id == site_id)
    sums: dict[tuple[str, str, str, Utility], tuple[str, str, Decimal, Decimal]] = {}
    left: dict[int, Decimal] = {}  # per bill: what was paid and no line took yet
    for bill_id, paid, period, site_code, site, code, building, fee, amount in session.execute(
        query
    ):
        rest = left.setdefault(bill_id, paid)
        collected = min(max(rest, Decimal("0.00")), amount)
        left[bill_id] = rest - collected
        key = (period, site_code, code, fee)
        _, _, billed, before = sums.get(key, (site, building, Decimal("0.00"), Decimal("0.00")))
        sums[key] = (site, building, billed + amount, before + collected)
    return [
        CollectionRow(period, site, building, fee, billed, collected)
        for (period, _, _, fee), (site, building, billed, collected) in sorted(sums.items())
    ]


def totals(rows: list[CollectionRow]) -> CollectionRow:
    """All the rows as one (period, estate, building and fee left blank)."""
    billed = sum((row.billed for row in rows), Decimal("0.00"))
    collected = sum((row.collected for row in rows), Decimal("0.00"))
    return CollectionRow("", "", "", Utility.PROPERTY_FEE, billed, collected)


def collection_table(rows: list[CollectionRow]) -> Table:
    """The report as one spreadsheet table, with the whole as its last row."""
    cells = [
        _cells(row, (row.period, row.site, row.building, UTILITY_LABELS[row.fee])) for row in rows
    ]
    whole = _cells(totals(rows), ("合计 Total", "", "", ""))
    return Table("收缴率 Collection", HEADER, [*cells, whole])


def _cells(row: CollectionRow, labels: tuple[str, str, str, str]) -> tuple[Cell, ...]:
    rate = None if row.rate_pct is None else str(row.rate_pct)
    money = (f"{row.billed:.2f}", f"{row.collected:.2f}", f"{row.outstanding:.2f}")
    return (*labels, *money, rate)
