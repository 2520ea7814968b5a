"""Seasonal prices (季节价): the calendar months a tariff version applies in, stored as text."""

from __future__ import annotations

from collections.abc import Sequence

from hub.errors import InvalidInput
from hub.storage.models import Tariff


def months_text(months: Sequence[int] | None) -> str | None:
    """The stored form of a season, "5,6,7": sorted, each month once; None or all 12: all year."""
    if months is None:
        return None
    chosen = sorted(set(months))
    if not chosen or chosen[0] < 1 or chosen[-1] > 12:
        raise InvalidInput("a season is a list of months 1 to 12, e.g. [6, 7, 8, 9]")
    return None if len(chosen) == 12 else ",".join(map(str, chosen))


def month_list(tariff: Tariff) -> list[int] | None:
    return [int(m) for m in tariff.months.split(",")] if tariff.months else None


def applies_in(tariff: Tariff, month: int) -> bool:
    months = month_list(tariff)
    return months is None or month in months
