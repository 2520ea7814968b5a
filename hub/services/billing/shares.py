"""Splitting an amount among homes in proportion to weights (floor area, households, use), to
the fen and exactly: the largest-remainder method, so the shares always add up to the amount
and none is more than a fen away from its exact proportion. Pure."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from hub.errors import InvalidInput

K = TypeVar("K", bound=Hashable)
FEN = Decimal("0.01")


def apportion(amount: Decimal, weights: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """`amount` shared by `weights`; ties for the last fen go to the earlier key. When every
    weight is 0 (nobody used any water) the shares are equal."""
    if amount < 0 or amount != amount.quantize(FEN):
        raise InvalidInput(f"amount {amount} must be zero or more, to the fen")
    if any(weight < 0 for weight in weights.values()):
        raise InvalidInput("a share's weight cannot be negative")
    keys = list(weights)
    if not keys:
        return {}
    total = sum(weights.values(), Decimal(0))
    parts = [Fraction(weights[key]) if total else Fraction(1) for key in keys]
    whole = sum(parts, Fraction(0))
    fen = int(amount / FEN)
    exact = [fen * part / whole for part in parts]
    floors = [int(share) for share in exact]  # shares are never negative: int() is the floor
    by_remainder = sorted(range(len(keys)), key=lambda i: (floors[i] - exact[i], i))
    for i in by_remainder[: fen - sum(floors)]:
        floors[i] += 1
    return {key: FEN * share for key, share in zip(keys, floors, strict=True)}
