"""The analysis' rounding and percentiles, on numbers small enough to check by eye."""

from __future__ import annotations

from hub.services.service_analysis.stats import average, nearest_rank, percent


def test_averages_round_half_up_not_to_even() -> None:
    assert average([5, 4, 3, 5, 2, 4, 1, 5]) == 3.63  # 29 / 8 = 3.625 (round() gives 3.62)
    assert average([4, 4, 4, 5]) == 4.25  # 17 / 4, exact
    assert average([]) is None


def test_percentages_to_one_place() -> None:
    assert percent(7, 11) == 63.6  # 63.636...
    assert percent(1, 8) == 12.5  # exact
    assert percent(5, 16) == 31.3  # 31.25 half-up (round() gives 31.2)
    assert percent(0, 0) is None


def test_nearest_rank_takes_a_value_of_the_sample() -> None:
    ten = [5, 10, 10, 15, 20, 25, 30, 35, 40, 50]
    assert (nearest_rank(ten, 50), nearest_rank(ten, 90)) == (20, 40)  # 5th and 9th
    eight = [30, 60, 60, 90, 120, 120, 180, 240]
    assert (nearest_rank(eight, 50), nearest_rank(eight, 90)) == (90, 240)  # 4th, ceil(7.2)
    assert nearest_rank([7], 90) == 7
    assert nearest_rank([], 50) is None
