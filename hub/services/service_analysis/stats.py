"""Small statistics the analysis reports: rounded averages, nearest-rank percentiles, shares.

Averages and percentages are floats rounded half-up (averages to 2 places, percentages and
minutes to 1), computed through Decimal so the rounding is exact and the same on every database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

T = TypeVar("T")

AVERAGE_PLACES = Decimal("0.01")
PERCENT_PLACES = Decimal("0.1")


def rounded(numerator: Decimal | int, denominator: int, places: Decimal) -> float | None:
    """numerator / denominator rounded half-up to `places`; None for an empty sample."""
    if denominator == 0:
        return None
    return float((Decimal(numerator) / Decimal(denominator)).quantize(places, ROUND_HALF_UP))


def average(values: Sequence[int]) -> float | None:
    """The mean to 2 places, None without values."""
    return rounded(sum(values), len(values), AVERAGE_PLACES)


def percent(part: int, whole: int) -> float | None:
    """part of whole in percent, to 1 place."""
    return rounded(100 * part, whole, PERCENT_PLACES)


def nearest_rank(sorted_values: Sequence[T], pct: int) -> T | None:
    """The nearest-rank percentile: the value at rank ceil(pct/100 * n), 1-based, of the sorted
    sample (a value that occurred, easy to check by hand); None for an empty sample."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(pct * len(sorted_values) / 100))
    return sorted_values[rank - 1]
