"""A meter's consumption from its cumulative register, pure.

Consecutive readings are checked, not only the period's two ends: a meter reset mid-month
whose new register ends above the old start (100 -> 140, then 0.5 -> 150) used 189.5, not 50.
Each drop between two readings is either the register wrapping past its maximum (e.g.
99999.9 -> 0.3), which is consumption across the wrap, or something nobody recorded (a reset,
a replacement), which is flagged and never guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

# A wrap explains a drop only when the use it implies is under this share of the register's
# range: between two readings a meter turns over a few units, not half its register.
WRAP_SHARE = Decimal("0.1")


@dataclass(frozen=True)
class Register:
    """A meter's register: it counts up to `maximum` (e.g. 99999.9), then starts again at 0."""

    maximum: Decimal | None  # None: the register is not expected to wrap

    @property
    def modulus(self) -> Decimal | None:
        """What one turn of the register counts: 99999.9 wraps after 100000.0 (its last digit's
        step; a stored 99999.900000 is the same register)."""
        if self.maximum is None:
            return None
        exponent = self.maximum.normalize().as_tuple().exponent
        assert isinstance(exponent, int), "a register maximum is a finite number"
        return self.maximum + Decimal(1).scaleb(min(0, exponent))

    def across_wrap(self, before: Decimal, after: Decimal) -> Decimal | None:
        """The use from `before` to a lower `after` if a wrap explains the drop, else None."""
        modulus = self.modulus
        if modulus is None or self.maximum is None or max(before, after) > self.maximum:
            return None
        used = modulus - before + after
        return used if used < modulus * WRAP_SHARE else None


@dataclass(frozen=True)
class Drop:
    """Two consecutive readings where the register went down."""

    before: Decimal
    after: Decimal
    at: datetime  # when the lower reading was taken


@dataclass(frozen=True)
class Consumption:
    """What the register says was used, or the drop that makes it untrustworthy."""

    quantity: Decimal | None
    wraps: int = 0
    unexplained: Drop | None = None


def consumption(
    start: Decimal, end: Decimal, drops: Sequence[Drop], register: Register
) -> Consumption:
    """Use from `start` to `end` given every drop between consecutive readings in between."""
    wraps = 0
    for drop in drops:
        if register.across_wrap(drop.before, drop.after) is None:
            return Consumption(None, unexplained=drop)
        wraps += 1
    turned = register.modulus * wraps if register.modulus is not None else Decimal(0)
    return Consumption(end - start + turned, wraps=wraps)
