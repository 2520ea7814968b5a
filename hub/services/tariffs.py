"""Tier (block) pricing, pure: a quantity split over a tariff's blocks, each block priced and
rounded on its own so the owner can check every line by hand.

A flat price is one open block; the property fee is a flat price per m2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from hub.domain import TouBand
from hub.errors import InvalidInput

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Block:
    """Quantity up to `up_to` (cumulative; None = no limit) costs `unit_price` per unit."""

    up_to: Decimal | None
    unit_price: Decimal
    band: TouBand | None = None  # a time-of-use price: one per band, no limit


@dataclass(frozen=True)
class TierCharge:
    """The part of a quantity that fell in block `tier` (1-based) and what it costs."""

    tier: int
    lower: Decimal
    upper: Decimal | None
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


def round_money(value: Decimal) -> Decimal:
    """Round to the fen (0.01), half up, as a cashier would."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def split_tiers(
    quantity: Decimal, blocks: Sequence[Block], *, already: Decimal = Decimal(0)
) -> list[TierCharge]:
    """The charges of `quantity` over `blocks`: one per block used (at least one, even for zero).

    `already` is what the household used before in the same tier period (another of the home's
    meters of this utility, since China's tiers are per household), so this quantity starts
    where that left off. The quantities always sum to `quantity`; each amount is rounded half
    up to 0.01.
    """
    if quantity < 0 or already < 0:
        raise InvalidInput(f"quantity {quantity} is negative: a consumption cannot be below zero")
    check_blocks(blocks)
    charges: list[TierCharge] = []
    top = already + quantity
    lower = Decimal(0)
    for tier, block in enumerate(blocks, start=1):
        upper = block.up_to
        if upper is not None and upper <= already:  # used up before this quantity began
            lower = upper
            continue
        part = (top if upper is None else min(top, upper)) - max(lower, already)
        charges.append(
            TierCharge(
                tier=tier,
                lower=lower,
                upper=upper,
                quantity=part,
                unit_price=block.unit_price,
                amount=round_money(part * block.unit_price),
            )
        )
        if upper is None or top <= upper:
            break
        lower = upper
    return charges


def check_blocks(blocks: Sequence[Block]) -> None:
    if not blocks:
        raise InvalidInput("a tariff needs at least one block", code="tariff_tiers")
    bands = [block.band for block in blocks if block.band is not None]
    if bands:
        if len(bands) != len(blocks) or len(set(bands)) != len(bands):
            raise InvalidInput(
                "a time-of-use tariff prices each of its bands once", code="tariff_bands"
            )
        if any(block.up_to is not None for block in blocks):
            raise InvalidInput(
                "a time-of-use tariff has no block limits (up_to)", code="tariff_bands"
            )
        return
    if blocks[-1].up_to is not None:
        raise InvalidInput(
            "the last tariff block must be open-ended (no up_to)", code="tariff_tiers"
        )
    limits = [block.up_to for block in blocks[:-1] if block.up_to is not None]
    ascending = limits == sorted(set(limits)) and all(limit > 0 for limit in limits)
    if len(limits) != len(blocks) - 1 or not ascending:
        raise InvalidInput(
            "tariff block limits (up_to) must be positive and strictly increase",
            code="tariff_tiers",
        )


def total(charges: Sequence[TierCharge]) -> Decimal:
    """What the charges come to: the sum of the rounded lines (never re-rounded)."""
    return sum((charge.amount for charge in charges), Decimal("0.00"))


def check_floor_band(floor_from: int | None, floor_to: int | None) -> None:
    """A floor band runs upwards (a single floor is from = to)."""
    if floor_from is not None and floor_to is not None and floor_to < floor_from:
        raise InvalidInput(
            f"floor band {floor_from}-{floor_to}: the last floor is below the first",
            code="tariff_floor_band",
        )
