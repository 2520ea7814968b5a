"""公摊 shares: they always sum to the amount, each within a fen of its exact proportion."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.errors import InvalidInput
from hub.services.billing.shares import apportion

D = Decimal


def test_a_lift_meter_shared_by_floor_area() -> None:
    """¥100.00 over 90, 120 and 120 m²: 27.2727…, 36.3636…, 36.3636… → the last fen goes to
    the largest remainder (a tie: the earlier home)."""
    shares = apportion(D("100.00"), {"B1/101": D(90), "B1/102": D(120), "B1/201": D(120)})
    assert shares == {"B1/101": D("27.27"), "B1/102": D("36.37"), "B1/201": D("36.36")}


def test_equal_shares_when_nobody_used_any() -> None:
    assert apportion(D("0.10"), {"a": D(0), "b": D(0), "c": D(0)}) == {
        "a": D("0.04"),
        "b": D("0.03"),
        "c": D("0.03"),
    }


def test_bad_amounts_and_weights_are_refused() -> None:
    with pytest.raises(InvalidInput, match="to the fen"):
        apportion(D("1.005"), {"a": D(1)})
    with pytest.raises(InvalidInput, match="negative"):
        apportion(D("1.00"), {"a": D(-1), "b": D(2)})


amounts = st.decimals(min_value=0, max_value=1_000_000, places=2)
weights = st.lists(st.decimals(min_value=0, max_value=10_000, places=2), min_size=1, max_size=60)


@given(amounts, weights)
def test_shares_sum_to_the_amount_and_stay_within_a_fen(
    amount: Decimal, homes: list[Decimal]
) -> None:
    shares = apportion(amount, dict(enumerate(homes)))
    assert sum(shares.values()) == amount
    total = sum(homes) or len(homes)
    for home, weight in enumerate(homes):
        exact = Fraction(amount) * Fraction(weight if sum(homes) else 1) / Fraction(total)
        assert abs(Fraction(shares[home]) - exact) < Fraction(1, 100)
        assert shares[home] == shares[home].quantize(D("0.01")) and shares[home] >= 0
