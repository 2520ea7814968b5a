"""Tier pricing: exact block boundaries, half-up rounding, and properties over any quantity."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.errors import InvalidInput
from hub.services.tariffs import Block, round_money, split_tiers, total

D = Decimal
ELECTRICITY = [Block(D(200), D("0.5283")), Block(D(400), D("0.5783")), Block(None, D("0.8283"))]


@pytest.mark.parametrize(
    ("kwh", "lines", "amount"),
    [
        ("0", [(1, "0", "0.00")], "0.00"),
        ("200", [(1, "200", "105.66")], "105.66"),
        ("200.01", [(1, "200", "105.66"), (2, "0.01", "0.01")], "105.67"),
        ("400", [(1, "200", "105.66"), (2, "200", "115.66")], "221.32"),
        ("400.01", [(1, "200", "105.66"), (2, "200", "115.66"), (3, "0.01", "0.01")], "221.33"),
        ("1000", [(1, "200", "105.66"), (2, "200", "115.66"), (3, "600", "496.98")], "718.30"),
    ],
)
def test_tier_boundaries(kwh: str, lines: list[tuple[int, str, str]], amount: str) -> None:
    charges = split_tiers(D(kwh), ELECTRICITY)
    assert [(c.tier, c.quantity, c.amount) for c in charges] == [
        (tier, D(q), D(a)) for tier, q, a in lines
    ]
    assert total(charges) == D(amount)
    assert str(total(charges)) == amount


def test_each_line_rounds_half_up_to_the_fen() -> None:
    assert round_money(D("28.915")) == D("28.92")  # 50 kWh x 0.5783; banker's rounding: 28.92
    assert round_money(D("2.675")) == D("2.68")  # float arithmetic would give 2.67
    assert round_money(D("0.125")) == D("0.13")  # banker's rounding would give 0.12
    assert round_money(D("190.624999")) == D("190.62")
    flat = [Block(None, D("0.5"))]
    assert split_tiers(D("0.01"), flat)[0].amount == D("0.01")  # 0.005 -> 0.01


def test_lines_round_separately_and_total_is_their_sum() -> None:
    """What the owner can add up on paper: the total is the sum of the printed lines."""
    blocks = [Block(D(1), D("0.005")), Block(None, D("0.005"))]
    charges = split_tiers(D(2), blocks)
    assert [c.amount for c in charges] == [D("0.01"), D("0.01")]
    assert total(charges) == D("0.02")  # one rounding of 0.010 would say 0.01


def test_flat_price_and_property_fee() -> None:
    [water] = split_tiers(D("12.5"), [Block(None, D("4.10"))])
    assert (water.tier, water.amount) == (1, D("51.25"))
    [fee] = split_tiers(D("76.25"), [Block(None, D("2.50"))])
    assert fee.amount == D("190.63")  # 190.625 half up


def test_bad_input_is_refused_with_a_reason() -> None:
    with pytest.raises(InvalidInput, match="negative"):
        split_tiers(D("-0.01"), ELECTRICITY)
    with pytest.raises(InvalidInput, match="open-ended"):
        split_tiers(D(1), [Block(D(10), D(1))])
    with pytest.raises(InvalidInput, match="strictly increase"):
        split_tiers(D(1), [Block(D(10), D(1)), Block(D(10), D(2)), Block(None, D(3))])
    with pytest.raises(InvalidInput, match="at least one"):
        split_tiers(D(1), [])


quantities = st.decimals(min_value=0, max_value=100_000, places=3, allow_nan=False)


@given(quantities)
def test_split_sums_to_the_quantity_and_the_amount_to_the_lines(kwh: Decimal) -> None:
    charges = split_tiers(kwh, ELECTRICITY)
    assert sum(c.quantity for c in charges) == kwh
    assert total(charges) == sum(c.amount for c in charges)
    assert all(c.quantity >= 0 and c.amount == round_money(c.amount) for c in charges)
    assert all(c.upper is None or c.quantity <= c.upper - c.lower for c in charges)
    assert [c.tier for c in charges] == list(range(1, len(charges) + 1))


@given(quantities, quantities)
def test_amount_is_monotonic_in_consumption(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    assert total(split_tiers(low, ELECTRICITY)) <= total(split_tiers(high, ELECTRICITY))


@given(quantities, quantities)
def test_a_second_meter_continues_the_households_tiers(first: Decimal, second: Decimal) -> None:
    """China's tiers are per household: two meters together pay what one meter of their sum
    would, tier by tier, and the second meter's lines start where the first one's ended."""
    together = split_tiers(first + second, ELECTRICITY)
    parts = split_tiers(first, ELECTRICITY) + split_tiers(second, ELECTRICITY, already=first)
    for charge in together:
        in_tier = [c for c in parts if c.tier == charge.tier]
        assert sum(c.quantity for c in in_tier) == charge.quantity
    assert sum(c.quantity for c in parts) == first + second
    second_lines = split_tiers(second, ELECTRICITY, already=first)
    assert second_lines[0].tier == next(c.tier for c in together if c.lower + c.quantity >= first)


def test_already_past_a_block_starts_in_the_next_one() -> None:
    charges = split_tiers(D(50), ELECTRICITY, already=D(180))
    assert [(c.tier, c.quantity, c.amount) for c in charges] == [
        (1, D(20), D("10.57")),  # 20 x 0.5283 = 10.566
        (2, D(30), D("17.35")),  # 30 x 0.5783 = 17.349
    ]
    [exactly] = split_tiers(D(0), ELECTRICITY, already=D(200))
    assert (exactly.tier, exactly.quantity) == (2, D(0))
