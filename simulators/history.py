"""Last month's meter-reader readings for the simulated fleet, so the demo has a bill to show.

The readings end exactly where the simulated meters start today, as if a meter reader had
walked the estate at the start and end of last month (人工抄表), so the live Modbus/MQTT
readings that follow continue the same registers.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from simulators.fleet_file import FleetSpec


def previous_month(now: datetime, timezone: str) -> tuple[str, datetime, datetime]:
    """("YYYY-MM", first instant, last instant + 1) of the month before `now`, in `timezone`."""
    local = now.astimezone(ZoneInfo(timezone))
    this_month = datetime.combine(local.date().replace(day=1), time(), local.tzinfo)
    last_month = datetime.combine(
        (this_month - timedelta(days=1)).date().replace(day=1), time(), local.tzinfo
    )
    return f"{last_month:%Y-%m}", last_month, this_month


def meter_reader_rows(spec: FleetSpec, now: datetime) -> tuple[str, list[list[str]]]:
    """The period and CSV rows (meter, value, taken_at) opening and closing last month."""
    period, start, end = previous_month(now, spec.timezone)
    rng = random.Random(f"{spec.seed}-{period}")
    opened, closed = start + timedelta(hours=9), end - timedelta(hours=3)
    rows: list[list[str]] = [["meter", "value", "taken_at"]]
    for meter in spec.modbus_meters:
        used = Decimal(rng.randrange(12_000, 52_000)) / 100  # 120-520 kWh: crosses the tiers
        rows += _pair(meter.device, meter.start_kwh, used, opened, closed)
    for device in spec.mqtt_devices:
        start_m3 = getattr(device, "start_m3", None)
        if start_m3 is not None:
            used = Decimal(rng.randrange(4_000, 16_000)) / 1000  # 4-16 m3
            rows += _pair(device.device, start_m3, used, opened, closed)
    return period, rows


def _pair(
    device: str, closing: Decimal, used: Decimal, opened: datetime, closed: datetime
) -> list[list[str]]:
    return [
        [device, str(closing - used), opened.isoformat()],
        [device, str(closing), closed.isoformat()],
    ]
