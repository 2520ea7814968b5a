"""The lines of the fees with no meter and no tariff: a parking contract's month (停车费) and a
home's one-off charges (一次性费用), and the days of a month a home is billed for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from hub.domain import Utility
from hub.services.billing.periods import Period
from hub.services.billing.proration import DaySpan, days_of, prorate, span_in
from hub.services.billing.text import ONE_OFF_LABELS, PARKING_KIND_LABELS, UTILITY_LABELS
from hub.storage.models import BillLine, Home, OneOffCharge, ParkingContract


def home_span(home: Home, month: Period) -> DaySpan:
    """The days of `month` the estate bills the home for (交房/入住 to 迁出/售出)."""
    return span_in(month, home.billed_from, home.billed_until)


def parking_lines(session: Session, homes: list[Home], month: Period) -> dict[int, list[BillLine]]:
    """A line per contract for its days of the month that are also the home's."""
    by_id = {home.id: home for home in homes}
    first, last = days_of(month)
    lines: dict[int, list[BillLine]] = {}
    for contract in session.scalars(
        select(ParkingContract)
        .where(
            ParkingContract.home_id.in_(by_id),
            ParkingContract.starts_on <= last,
            or_(ParkingContract.ends_on.is_(None), ParkingContract.ends_on >= first),
        )
        .order_by(ParkingContract.id)
    ):
        home = by_id[contract.home_id]
        span = span_in(
            month,
            max(contract.starts_on, home.billed_from or contract.starts_on),
            min(contract.ends_on or date.max, home.billed_until or date.max),
        )
        if span.days:
            lines.setdefault(home.id, []).append(_parking_line(contract, span))
    return lines


def _parking_line(contract: ParkingContract, span: DaySpan) -> BillLine:
    space = contract.space
    description = (
        f"{UTILITY_LABELS[Utility.PARKING]} {space.code} {PARKING_KIND_LABELS[space.kind]} "
        f"¥{space.monthly_fee:.2f}/月 month{span.text()}"
    )
    return BillLine(
        utility=Utility.PARKING,
        description=description[:200],
        quantity=Decimal(1),
        unit="月",
        unit_price=space.monthly_fee,
        amount=prorate(space.monthly_fee, span),
        parking_contract_id=contract.id,
    )


def one_off_lines(session: Session, home_ids: list[int]) -> dict[int, list[BillLine]]:
    """A line per charge not withdrawn and on no bill yet."""
    billed = exists().where(BillLine.one_off_charge_id == OneOffCharge.id)
    lines: dict[int, list[BillLine]] = {}
    for charge in session.scalars(
        select(OneOffCharge)
        .where(
            OneOffCharge.home_id.in_(home_ids),
            OneOffCharge.withdrawn_at.is_(None),
            ~billed,
        )
        .order_by(OneOffCharge.id)
    ):
        description = (
            f"{UTILITY_LABELS[Utility.ONE_OFF]} {ONE_OFF_LABELS[charge.kind]}: {charge.description}"
        )
        lines.setdefault(charge.home_id, []).append(
            BillLine(
                utility=Utility.ONE_OFF,
                description=description[:200],
                quantity=Decimal(1),
                unit="次",
                unit_price=charge.amount,
                amount=charge.amount,
                one_off_charge_id=charge.id,
            )
        )
    return lines
