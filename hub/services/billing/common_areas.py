"""公摊: a common-area meter's month (lifts, corridor lights, pumps) shared among the homes it
serves (its device's building, or the whole estate), by floor area, per household or by each
home's own use that month. The meter's use is priced with the utility's tariff, then the
amount is split to the fen by largest remainder (shares.py), so the homes' lines add up
exactly to what the meter cost; each line states its basis, its weight and the total."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import ShareBasis
from hub.services.billing.lines import blocks
from hub.services.billing.meter_use import MeterUse
from hub.services.billing.shares import apportion
from hub.services.billing.text import UTILITY_LABELS, decimal_text
from hub.services.tariffs import split_tiers, total
from hub.storage.models import BillLine, Device, Home, Meter, Site, Tariff

BASIS_LABELS = {
    ShareBasis.AREA: "按面积 by floor area",
    ShareBasis.HOUSEHOLD: "按户 per household",
    ShareBasis.CONSUMPTION: "按用量 by own use",
}
UNIT_PRICE = Decimal("0.000001")


def common_meters(session: Session, site: Site) -> list[Meter]:
    return list(
        session.scalars(
            select(Meter)
            .join(Device, Device.id == Meter.device_id)
            .where(Device.site_id == site.id, Meter.home_id.is_(None))
            .order_by(Meter.id)
        )
    )


def served(meter: Meter, homes: Sequence[Home]) -> list[Home]:
    """The homes a common meter serves: its building's, or the estate's without a building."""
    building = meter.device.building_id
    return [home for home in homes if building is None or home.building_id == building]


@dataclass(frozen=True)
class CommonCost:
    """What a common meter's month cost, before it is shared."""

    meter: Meter
    use: MeterUse
    tariff: Tariff
    amount: Decimal


def cost(meter: Meter, use: MeterUse, tariff: Tariff) -> CommonCost:
    return CommonCost(meter, use, tariff, total(split_tiers(use.quantity, blocks(tariff))))


def share_lines(
    common: CommonCost, homes: Sequence[Home], own_use: Mapping[int, Decimal]
) -> dict[int, BillLine]:
    """Each served home's line (by home id); `own_use`: each home's use of the utility that
    month, for the consumption basis."""
    meter, basis = common.meter, common.meter.share_basis
    assert basis is not None, "a common meter has a share basis"
    weights = {home.id: _weight(basis, home, own_use) for home in served(meter, homes)}
    shares = apportion(common.amount, weights)
    whole = sum(weights.values(), Decimal(0))
    unit = {ShareBasis.AREA: "m2", ShareBasis.HOUSEHOLD: "户"}.get(basis, meter.unit)
    per_unit = (common.amount / whole).quantize(UNIT_PRICE) if whole else Decimal(0)
    places = 2 if basis is ShareBasis.AREA else 0  # floor areas as the property fee writes them
    return {
        home_id: BillLine(
            utility=meter.utility,
            description=(
                f"公摊 Common area {UTILITY_LABELS[meter.utility]} {meter.device.code}: "
                f"{BASIS_LABELS[basis]} {decimal_text(weights[home_id], places)}/"
                f"{decimal_text(whole, places)}"
                f" {unit} × ¥{decimal_text(common.amount, 2)}"
            )[:200],
            quantity=weights[home_id],
            unit=unit,
            unit_price=per_unit,
            amount=share,
            meter_id=meter.id,
            start_reading_id=common.use.start.id if common.use.start else None,
            end_reading_id=common.use.end.id if common.use.end else None,
            tariff_id=common.tariff.id,
            tariff_version=common.tariff.version,
            share_basis=basis,
        )
        for home_id, share in shares.items()
    }


def _weight(basis: ShareBasis, home: Home, own_use: Mapping[int, Decimal]) -> Decimal:
    if basis is ShareBasis.AREA:
        return home.area_m2
    if basis is ShareBasis.HOUSEHOLD:
        return Decimal(1)
    return own_use.get(home.id, Decimal(0))
