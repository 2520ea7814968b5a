"""Bill lines: a meter's use or the property fee split over the tariff's blocks, each line
traceable to its meter, readings, tariff version and tier."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ColumnElement, and_

from hub.domain import TierPeriod
from hub.services.billing.meter_use import MeterUse
from hub.services.billing.proration import DaySpan, prorate
from hub.services.billing.text import (
    HOME_TYPE_LABELS,
    UTILITY_LABELS,
    decimal_text,
    floor_band_text,
)
from hub.services.tariffs import Block, TierCharge, round_money, split_tiers
from hub.storage.bulk import draft
from hub.storage.models import BillLine, Home, Meter, Tariff


def blocks(tariff: Tariff) -> list[Block]:
    return [
        Block(up_to=tier.up_to, unit_price=tier.unit_price, band=tier.band) for tier in tariff.tiers
    ]


def bill_line(
    tariff: Tariff,
    description: str,
    unit: str,
    charge: TierCharge | None,
    *,
    meter: Meter | None = None,
    use: MeterUse | None = None,
) -> BillLine:
    """A bill line; `charge` None makes a zero "not billed" line for a problem meter."""
    return draft(
        BillLine,
        utility=tariff.utility,
        description=description[:200],
        quantity=charge.quantity if charge else Decimal(0),
        unit=unit,
        unit_price=charge.unit_price if charge else Decimal(0),
        amount=charge.amount if charge else Decimal("0.00"),
        meter_id=meter.id if meter else None,
        start_reading_id=use.start.id if use and use.start else None,
        end_reading_id=use.end.id if use and use.end else None,
        tariff_id=tariff.id,
        tariff_version=tariff.version,
        tier=charge.tier if charge and len(tariff.tiers) > 1 else None,
        estimated=use is not None and use.estimated_end is not None,
        estimated_end=use.estimated_end if use else None,
        corrected=use is not None and use.corrected,
    )


def _describe(tariff: Tariff, subject: str, charge: TierCharge | None, unit: str) -> str:
    """E.g. "电费 Electricity em-b1-101 第2档 tier 2 (200–400 kWh)"; a seasonal price names its
    months: "... 季节价 season 6,7,8,9月"."""
    text = f"{UTILITY_LABELS[tariff.utility]} {subject}"
    if tariff.months:
        text += f" 季节价 season {tariff.months}月"
    if charge is None or len(tariff.tiers) == 1:
        return text
    upper = "∞" if charge.upper is None else decimal_text(charge.upper)
    lower = decimal_text(charge.lower)
    per_year = " 年累计 a year" if tariff.tier_period is TierPeriod.YEAR else ""
    return f"{text} 第{charge.tier}档 tier {charge.tier} ({lower}–{upper} {unit}{per_year})"


def meter_lines(meter: Meter, use: MeterUse, tariff: Tariff, *, already: Decimal) -> list[BillLine]:
    """One line per tier used, starting where the home's other meters of the utility left off
    (`already`), or one zero line naming the problem."""
    code = meter.device.code
    if use.problem is not None:
        description = (
            f"{_describe(tariff, code, None, meter.unit)}: 未计费 not billed — {use.problem}; "
            "物业将另行核算 the office will settle it separately"
        )
        return [bill_line(tariff, description, meter.unit, None, meter=meter, use=use)]
    if use.wraps:
        code += f" (表盘归零{use.wraps}次 register wrapped {use.wraps}x)"
    code += _flags(use, meter.unit)
    if use.return_price is not None:  # real use below the estimates billed: give it back
        price = use.return_price
        amount = round_money(use.quantity * price)
        back = TierCharge(0, Decimal(0), None, use.quantity, price, amount)
        description = _describe(tariff, code, None, meter.unit)
        line = bill_line(tariff, description, meter.unit, back, meter=meter, use=use)
        line.tier = None  # priced as the estimates were, not by a block
        return [line]
    return [
        bill_line(
            tariff,
            _describe(tariff, code, charge, meter.unit),
            meter.unit,
            charge,
            meter=meter,
            use=use,
        )
        for charge in split_tiers(use.quantity, blocks(tariff), already=max(already, Decimal(0)))
    ]


def _flags(use: MeterUse, unit: str) -> str:
    """What a line's quantity rests on besides two plain readings: an estimate, a true-up of
    one, a corrected reading."""
    text = ""
    if use.estimated_end is not None and use.daily_use is not None:
        daily = decimal_text(use.daily_use.quantize(Decimal("0.001")))
        text += (
            f" 估 估抄 estimated: 日均 {daily} {unit}/day, "
            f"估计止码 estimated end {decimal_text(use.estimated_end)}"
        )
    if use.trued_up:
        billed = decimal_text(use.trued_up)
        text += f" 估抄校正 true-up: 已按估抄计 {billed} {unit} billed as estimate"
    if use.corrected:
        text += " 已更正 corrected"
    return text


def property_fee_lines(home: Home, tariff: Tariff, span: DaySpan) -> list[BillLine]:
    """Floor area × price per m2 per month, for a part month × days / days in the month; the
    line names the tariff's home type or floor band."""
    scope = [floor_band_text(tariff.floor_from, tariff.floor_to)]
    if tariff.home_type is not None:
        scope.insert(0, HOME_TYPE_LABELS[tariff.home_type])
    named = " ".join(part for part in scope if part)
    area = f"{decimal_text(home.area_m2, 2)} m2 × 1 月 month"
    subject = f"{named} {area}" if named else area
    lines = []
    for charge in split_tiers(home.area_m2, blocks(tariff)):
        line = bill_line(
            tariff,
            _describe(tariff, subject + span.text(), charge, tariff.unit),
            tariff.unit,
            charge,
        )
        line.amount = prorate(charge.quantity * charge.unit_price, span)
        lines.append(line)
    return lines


def metered() -> ColumnElement[bool]:
    """A home's own metered lines: not the property fee, not a share of a common meter."""
    return and_(BillLine.meter_id.is_not(None), BillLine.share_basis.is_(None))
