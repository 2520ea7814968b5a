"""A home's last 12 months of metered use per utility, from its bills, drawn for the PDF bill
(matplotlib, no GUI backend; the console draws the same figures with ECharts)."""

from __future__ import annotations

import io
from decimal import Decimal

from matplotlib import rc_context
from matplotlib.figure import Figure
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.domain import BillStatus, Utility
from hub.services.billing.lines import metered
from hub.services.billing.periods import parse_period
from hub.services.billing.text import UTILITY_LABELS
from hub.storage.models import Bill, BillLine
from hub.storage.types import QUANTITY

METERED = (Utility.ELECTRICITY, Utility.WATER)
UNITS = {Utility.ELECTRICITY: "kWh", Utility.WATER: "m³"}
# Debian's CJK fonts (fonts-noto-cjk, fonts-wqy-microhei), then matplotlib's own
FONTS = ["Noto Sans CJK SC", "WenQuanYi Micro Hei", "DejaVu Sans"]


def last_months(period: str, count: int = 12) -> list[str]:
    """`count` months ending with `period`, oldest first: "2025-11" … "2026-10"."""
    month = parse_period(period)
    index = month.year * 12 + month.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def monthly_use(
    session: Session, home_id: int, months: list[str]
) -> dict[Utility, dict[str, Decimal]]:
    """The home's own metered use per utility and month (not common-area shares)."""
    use: dict[Utility, dict[str, Decimal]] = {utility: {} for utility in METERED}
    for period, utility, quantity in session.execute(
        select(Bill.period, BillLine.utility, func.sum(BillLine.quantity, type_=QUANTITY))
        .join(BillLine, BillLine.bill_id == Bill.id)
        .where(
            Bill.home_id == home_id,
            Bill.period.in_(months),
            Bill.status != BillStatus.CREDITED,  # its re-bill counts instead
            BillLine.utility.in_(METERED),
            metered(),
        )
        .group_by(Bill.period, BillLine.utility)
    ):
        use[utility][period] = quantity
    return use


def usage_png(session: Session, home_id: int, period: str) -> bytes:
    """Bars per month, one panel per utility (this month darker), as a PNG for the bill."""
    months = last_months(period)
    use = monthly_use(session, home_id, months)
    with rc_context({"font.family": "sans-serif", "font.sans-serif": FONTS, "font.size": 8}):
        figure = Figure(figsize=(7.2, 2.2))
        for i, utility in enumerate(METERED):
            axes = figure.add_subplot(1, len(METERED), i + 1)
            values = [float(use[utility].get(month, Decimal(0))) for month in months]
            colours = ["#1f6feb" if month == period else "#9cb9e8" for month in months]
            axes.bar([month[2:] for month in months], values, color=colours)
            axes.set_title(f"{UTILITY_LABELS[utility]} ({UNITS[utility]})")
            axes.tick_params(axis="x", labelrotation=60, labelsize=6)
            axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=200)
    return out.getvalue()
