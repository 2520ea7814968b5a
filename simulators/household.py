"""How a home consumes: a daily profile and a cumulative counter that follows it.

Shared by the electricity meters (Modbus) and the water meters (MQTT), so both rise fastest in the
morning and evening peaks and slowly at night, in the estate's local time.
"""

from __future__ import annotations

import random
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

# (from local hour, factor): night trough, morning peak, daytime, evening peak, late evening.
_PROFILE = ((0, 0.35), (6, 1.4), (9, 0.8), (17, 1.7), (22, 0.7))


def daily_factor(local_hour: float) -> float:
    """Consumption at this hour relative to the day's mean (the factors average about 1)."""
    factor = _PROFILE[0][1]
    for start, value in _PROFILE:
        if local_hour >= start:
            factor = value
    return factor


class Consumption:
    """A meter's cumulative total, growing at `mean_per_hour` shaped by the daily profile."""

    def __init__(
        self,
        start: Decimal,
        mean_per_hour: float,
        *,
        places: int,
        rng: random.Random,
        timezone: str = "Asia/Shanghai",
    ) -> None:
        self._total = float(start)
        self._mean = mean_per_hour
        self._step = Decimal(1).scaleb(-places)
        self._rng = rng
        self._zone = ZoneInfo(timezone)

    @property
    def value(self) -> Decimal:
        """The total as the meter shows it: truncated to its resolution, never going back."""
        return Decimal(self._total).quantize(self._step, rounding=ROUND_DOWN)

    def advance(self, at: datetime, seconds: float) -> Decimal:
        """Add `seconds` of consumption at the rate of the local hour of `at`."""
        local = at.astimezone(self._zone)
        rate = self._mean * daily_factor(local.hour + local.minute / 60)
        self._total += rate * self._rng.uniform(0.6, 1.4) * max(seconds, 0.0) / 3600
        return self.value
