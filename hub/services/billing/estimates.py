"""估抄: a meter that sent no reading in the month (failed, offline) is billed an estimate, where
its estate opts in (site file `billing: estimate_missing: true`): its average daily use over
the previous months it was read (up to 3) times the month's days. The line is flagged and keeps
the register it assumed at the month's end; the next real reading trues it up, so that month's
use is real end - estimated end and the months together bill exactly what the register moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from hub.domain import BillStatus
from hub.services.billing.meter_use import MeterUse, meter_use, on_time_filter
from hub.services.billing.periods import Period
from hub.storage.models import Bill, BillLine, Meter, Site

HISTORY_MONTHS = 3  # the months before whose use makes the average
_PLACES = Decimal("0.01")


def estimated_or_trued_up(
    session: Session,
    meter: Meter,
    use: MeterUse,
    month: Period,
    site: Site,
    bills: Sequence[tuple[str, datetime]],
    *,
    estimated_before: bool,
) -> MeterUse:
    """`use` trued up by the estimates billed since its start reading; or, for a meter without
    a reading in the month at a site that estimates, the month's estimate; else `use` as it is.
    `bills`: its home's bills in force (period, issued at), for which readings are late;
    `estimated_before`: the meter has estimated lines (else nothing is looked up for it)."""
    if use.start is None or not (estimated_before or site.estimate_missing):
        return use
    billed, amount = (
        _estimates_since(session, meter, use.start.id, month)
        if estimated_before
        else (Decimal(0), Decimal(0))
    )
    if use.problem is None:
        if not billed:
            return use
        quantity = use.quantity - billed
        price = amount / billed if quantity < 0 and billed else None
        return replace(use, quantity=quantity, trued_up=billed, return_price=price)
    if not site.estimate_missing or use.problem_code != "no_reading_in_month":
        return use
    daily = average_daily_use(
        session, meter, month, site.timezone, on_time_filter(bills, site.timezone)
    )
    if daily is None:
        return use  # never read in the months before: not billed, as without estimates
    quantity = (daily * month.days).quantize(_PLACES, rounding=ROUND_HALF_UP)
    assert use.start_value is not None  # a reading bounds a month without readings
    return MeterUse(
        use.start,
        None,
        None,
        quantity=quantity,
        start_value=use.start_value,
        corrected=use.corrected,
        estimated_end=use.start_value + billed + quantity,
        daily_use=daily,
    )


def average_daily_use(
    session: Session,
    meter: Meter,
    month: Period,
    timezone: str,
    on_time: ColumnElement[bool] | None,
) -> Decimal | None:
    """Use per day over the up to 3 months before `month` that have readings to trust; None if
    none has."""
    used, days = Decimal(0), 0
    for back in range(1, HISTORY_MONTHS + 1):
        earlier = month.shifted(-back)
        start, end = earlier.bounds(timezone)
        found = meter_use(session, meter, start, end, on_time)
        if found.problem is None:
            used, days = used + found.quantity, days + earlier.days
    return used / days if days else None


def meters_with_estimates(session: Session, meter_ids: Sequence[int]) -> set[int]:
    """Those of `meter_ids` with an estimated line on any bill: the only ones to true up."""
    if not meter_ids:
        return set()
    estimated = select(BillLine.meter_id).where(BillLine.estimated).distinct()  # a partial index
    return {meter_id for meter_id in session.scalars(estimated) if meter_id is not None} & set(
        meter_ids
    )


def _estimates_since(
    session: Session, meter: Meter, start_reading_id: int, month: Period
) -> tuple[Decimal, Decimal]:
    """Quantity and amount of the estimated lines (on bills not credited, before `month`) that
    began at `start_reading_id`: the months the next real reading has to true up."""
    rows = session.execute(
        select(BillLine.quantity, BillLine.amount)
        .join(Bill, Bill.id == BillLine.bill_id)
        .where(
            BillLine.meter_id == meter.id,
            BillLine.estimated.is_(True),
            BillLine.start_reading_id == start_reading_id,
            Bill.status != BillStatus.CREDITED,
            Bill.period < month.text,
        )
    ).all()
    return (
        sum((quantity for quantity, _ in rows), Decimal(0)),
        sum((amount for _, amount in rows), Decimal(0)),
    )
