"""A register's consumption: wraps past the maximum are use, other drops are flagged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.services.consumption import Drop, Register, consumption

D = Decimal
AT = datetime(2026, 10, 15, tzinfo=UTC)
SIX_DIGITS = Register(D("99999.9"))


def test_a_wrap_past_the_maximum_is_use_across_it() -> None:
    # 99990.0 -> 100000.0 is 10.0, then 0.0 -> 5.0 is 5.0
    used = consumption(D("99980.0"), D("5.0"), [Drop(D("99990.0"), D("2.0"), AT)], SIX_DIGITS)
    assert (used.quantity, used.wraps, used.unexplained) == (D("25.0"), 1, None)


def test_the_stored_maximum_with_trailing_zeros_is_the_same_register() -> None:
    assert Register(D("99999.900000")).modulus == D("100000.0")
    assert Register(D("9999")).modulus == D("10000")


@pytest.mark.parametrize(
    ("register", "before", "after"),
    [
        (Register(None), D(140), D("0.5")),  # no maximum known: a reset, not a wrap
        (SIX_DIGITS, D(140), D("0.5")),  # far from the maximum: 99860.5 is no plausible use
        (SIX_DIGITS, D("5000"), D("20")),
        (SIX_DIGITS, D("99999.9"), D("100500")),  # above the register: not this meter's value
    ],
)
def test_a_drop_no_wrap_explains_is_flagged_not_guessed(
    register: Register, before: Decimal, after: Decimal
) -> None:
    drop = Drop(before, after, AT)
    used = consumption(D(100), D(150), [drop], register)
    assert (used.quantity, used.unexplained) == (None, drop)


def test_a_reset_mid_month_that_ends_above_the_start_is_still_found() -> None:
    """100 -> 140, reset, 0.5 -> 150: the two ends alone would say 50."""
    used = consumption(D(100), D(150), [Drop(D(140), D("0.5"), AT)], Register(None))
    assert used.quantity is None


@given(st.lists(st.decimals(min_value=0, max_value=9999, places=1), min_size=1, max_size=40))
def test_any_run_of_readings_through_wraps_adds_up(steps: list[Decimal]) -> None:
    """Readings of a six-digit register that moves by `steps`: the use is their sum."""
    modulus = SIX_DIGITS.modulus
    assert modulus is not None
    start = D("99000.0")
    value, drops = start, []
    for n, step in enumerate(steps):
        after = (value + step) % modulus
        if after < value:
            drops.append(Drop(value, after, AT + timedelta(hours=n)))
        value = after
    used = consumption(start, value, drops, SIX_DIGITS)
    assert used.quantity == sum(steps)
    assert used.wraps == len(drops)
