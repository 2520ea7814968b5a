"""分时电价: a time-of-use tariff prices each band (尖峰, 峰, 平, 谷) of a multi-register meter,
each band's use counted on its own register as any register is (wraps, drops, late readings
left out). A band price is per unit of that band, so a household's blocks do not apply to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from hub.domain import TouBand
from hub.services.billing.common_areas import CommonCost
from hub.services.billing.lines import bill_line
from hub.services.billing.meter_use import MeterUse, meter_use
from hub.services.billing.text import UTILITY_LABELS
from hub.services.tariffs import TierCharge, round_money
from hub.storage.models import BillLine, Meter, Tariff

BAND_LABELS = {
    TouBand.SHARP: "尖峰 sharp",
    TouBand.PEAK: "峰 peak",
    TouBand.FLAT: "平 flat",
    TouBand.VALLEY: "谷 valley",
}


def registers_text(registers: Mapping[TouBand, str] | None) -> str | None:
    """The stored form, "peak=energy_peak_kwh,valley=energy_valley_kwh", in band order."""
    if not registers:
        return None
    return ",".join(f"{band.value}={registers[band]}" for band in TouBand if band in registers)


def registers_of(meter: Meter) -> dict[TouBand, str]:
    if not meter.registers:
        return {}
    pairs = (part.split("=", 1) for part in meter.registers.split(","))
    return {TouBand(band): key for band, key in pairs}


def is_time_of_use(tariff: Tariff) -> bool:
    return any(tier.band is not None for tier in tariff.tiers)


def band_uses(
    session: Session,
    meter: Meter,
    tariff: Tariff,
    start: datetime,
    end: datetime,
    on_time: ColumnElement[bool] | None,
) -> list[MeterUse]:
    """Each band's use of the month, in the tariff's order; a band the meter has no register
    for is a problem, never a guess."""
    registers = registers_of(meter)
    uses = []
    for tier in tariff.tiers:
        assert tier.band is not None  # a time-of-use tariff prices bands only
        key = registers.get(tier.band)
        if key is None:
            uses.append(
                MeterUse(
                    None,
                    None,
                    f"the time-of-use price has a {tier.band.value} band, the meter no register "
                    "for it",
                    "add the register to the meter (site file registers) and bill it by hand",
                    problem_code="no_register",
                    params={"band": tier.band.value},
                )
            )
        else:
            uses.append(meter_use(session, meter, start, end, on_time, reading_key=key))
    return uses


def band_lines(meter: Meter, tariff: Tariff, uses: list[MeterUse]) -> list[BillLine]:
    """A line per band: its register's use × the band's price, or a zero line naming why not."""
    lines = []
    for tier, use in zip(tariff.tiers, uses, strict=True):
        assert tier.band is not None
        subject = f"{UTILITY_LABELS[tariff.utility]} {meter.device.code} {BAND_LABELS[tier.band]}"
        if use.problem is not None:
            description = f"{subject}: 未计费 not billed — {use.problem}"
            lines.append(bill_line(tariff, description, meter.unit, None, meter=meter, use=use))
            continue
        charge = TierCharge(
            tier=tier.seq,
            lower=Decimal(0),
            upper=None,
            quantity=use.quantity,
            unit_price=tier.unit_price,
            amount=round_money(use.quantity * tier.unit_price),
        )
        lines.append(bill_line(tariff, subject, meter.unit, charge, meter=meter, use=use))
    return lines


def band_cost(meter: Meter, tariff: Tariff, uses: list[MeterUse]) -> CommonCost:
    """A common meter's month under a time-of-use price: its bands' lines summed (the share
    lines name the first band's readings)."""
    amount = sum((line.amount for line in band_lines(meter, tariff, uses)), Decimal("0.00"))
    return CommonCost(meter, uses[0], tariff, amount)
