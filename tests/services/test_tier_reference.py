"""Tier splitting against a reference written differently (each block's overlap with the
household's range of use), for random tariffs, monthly and yearly blocks."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from hub.services.tariffs import Block, split_tiers, total

prices = st.decimals(min_value=0, max_value=5, places=4)
amounts = st.decimals(min_value=0, max_value=5_000, places=2)


@st.composite
def tariffs(draw: st.DrawFn) -> list[Block]:
    """1 to 4 blocks with rising limits, the last open."""
    limits = sorted(set(draw(st.lists(st.integers(1, 6_000), max_size=3))))
    tops: list[Decimal | None] = [Decimal(limit) for limit in limits]
    tops.append(None)
    return [Block(up_to=top, unit_price=draw(prices)) for top in tops]


def reference(already: Decimal, quantity: Decimal, blocks: list[Block]) -> dict[int, Decimal]:
    """Quantity per tier (1-based): the overlap of [already, already + quantity) with each block."""
    used: dict[int, Decimal] = {}
    lower = Decimal(0)
    for tier, block in enumerate(blocks, start=1):
        upper = block.up_to
        top = already + quantity if upper is None else min(upper, already + quantity)
        overlap = top - max(lower, already)
        if overlap > 0:
            used[tier] = overlap
        lower = upper if upper is not None else lower
    return used


def money(quantity: Decimal, price: Decimal) -> Decimal:
    return (quantity * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@given(tariffs(), amounts, amounts)
def test_a_month_matches_the_reference_to_the_fen(
    blocks: list[Block], already: Decimal, quantity: Decimal
) -> None:
    charges = split_tiers(quantity, blocks, already=already)
    split = {c.tier: c.quantity for c in charges if c.quantity}
    assert split == reference(already, quantity, blocks)
    expected = sum((money(q, blocks[tier - 1].unit_price) for tier, q in split.items()), Decimal(0))
    assert total(charges) == expected


@given(tariffs(), st.lists(amounts, min_size=1, max_size=12))
def test_yearly_blocks_month_by_month_add_up_to_the_year(
    blocks: list[Block], months: list[Decimal]
) -> None:
    """Each month starts where the year's use so far ended: the year's months together use
    each block exactly as the year's total would (Beijing-style 2,880 / 4,800 kWh a year)."""
    by_tier: dict[int, Decimal] = {}
    so_far = Decimal(0)
    for used in months:
        for charge in split_tiers(used, blocks, already=so_far):
            by_tier[charge.tier] = by_tier.get(charge.tier, Decimal(0)) + charge.quantity
        so_far += used
    year = reference(Decimal(0), so_far, blocks)
    assert {tier: q for tier, q in by_tier.items() if q} == year


@given(tariffs(), amounts, amounts, amounts)
def test_more_use_never_costs_less(
    blocks: list[Block], already: Decimal, a: Decimal, b: Decimal
) -> None:
    low, high = sorted((a, b))
    assert total(split_tiers(low, blocks, already=already)) <= total(
        split_tiers(high, blocks, already=already)
    )
