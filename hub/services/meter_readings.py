"""Manual meter readings (人工抄表) from a CSV, for meters that are offline or not networked.

Each row is `meter, value, taken_at`: the meter is its device code (`em-b1-101`) or
`BUILDING/HOME/UTILITY` (`B1/101/electricity`); `taken_at` is ISO 8601, read in the site's
timezone when it has no offset. A header row whose second cell is `value` is skipped.
The whole file is checked first and nothing is written if any line is wrong; importing the
same file again adds nothing. A reading for a month already billed is flagged for finance and
used by no bill (hub/services/late_readings.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import METERED
from hub.errors import InvalidInput
from hub.services.late_readings import flag_late_readings
from hub.services.site import site_by_code_or_raise
from hub.storage.models import Device, Home, Meter, Reading, Site

SOURCE = "manual"
_CLOCK_SLACK = timedelta(minutes=5)  # a reading "from the future" is a typo, not clock skew
_MAX_ERRORS_SHOWN = 20
_MAX_VALUE = Decimal(10) ** 14  # the readings column holds 14 integer digits


@dataclass(frozen=True)
class ImportResult:
    imported: int  # new readings written
    unchanged: int  # rows already stored with the same value


@dataclass(frozen=True)
class _Row:
    line: int
    meter: Meter
    value: Decimal
    ts: datetime


def import_readings(
    session: Session, *, site_code: str, rows: Iterable[Sequence[str]], now: datetime
) -> ImportResult:
    """Validate every row, then store the new ones as readings with source "manual"."""
    site = site_by_code_or_raise(session, site_code)
    meters = _MeterIndex(session, site)
    parsed: list[_Row] = []
    errors: list[str] = []
    for line, cells in enumerate(rows, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if line == 1 and len(cells) > 1 and cells[1].strip().lower() == "value":
            continue
        try:
            parsed.append(_parse(line, cells, meters, ZoneInfo(site.timezone), now))
        except InvalidInput as exc:
            errors.append(str(exc))
    if not parsed and not errors:
        raise InvalidInput("the file has no readings (expected rows: meter, value, taken_at)")
    new, unchanged = _split_known(session, parsed, errors)
    if errors:
        shown = errors[:_MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        raise InvalidInput(
            "nothing imported: " + "; ".join(shown) + (f"; and {more} more" if more else "")
        )
    readings = [
        Reading(
            device_id=row.meter.device_id,
            metric=row.meter.reading_key,
            ts=row.ts,
            value=row.value,
            source=SOURCE,
            received_at=now,
        )
        for row in new
    ]
    session.add_all(readings)
    session.flush()
    flag_late_readings(session, [(r.id, r.device_id, r.metric, r.ts) for r in readings], now=now)
    return ImportResult(imported=len(new), unchanged=unchanged)


class _MeterIndex:
    """The site's meters by device code and by BUILDING/HOME/UTILITY."""

    def __init__(self, session: Session, site: Site) -> None:
        meters = session.scalars(
            select(Meter)
            .join(Device, Device.id == Meter.device_id)
            .where(Device.site_id == site.id)
        ).all()
        homes = {
            home.id: f"{home.building.code}/{home.code}"
            for home in session.scalars(
                select(Home).where(Home.id.in_({m.home_id for m in meters if m.home_id}))
            )
        }
        self.site_code = site.code
        self.by_code = {meter.device.code: meter for meter in meters}
        self.by_home: dict[str, list[Meter]] = {}
        for meter in meters:
            if meter.home_id is None:  # a common-area meter: found by its device code only
                continue
            key = f"{homes[meter.home_id]}/{meter.utility.value}"
            self.by_home.setdefault(key, []).append(meter)

    def find(self, line: int, name: str) -> Meter:
        if name in self.by_code:
            return self.by_code[name]
        found = self.by_home.get(name, [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            codes = ", ".join(m.device.code for m in found)
            raise InvalidInput(f"line {line}: {name} has several meters ({codes}); use the code")
        utilities = "|".join(sorted(METERED))
        raise InvalidInput(
            f"line {line}: no meter {name!r} at site {self.site_code} "
            f"(write a meter device code or BUILDING/HOME/{utilities})"
        )


def _parse(
    line: int, cells: Sequence[str], meters: _MeterIndex, zone: ZoneInfo, now: datetime
) -> _Row:
    if len(cells) != 3:
        raise InvalidInput(
            f"line {line}: expected 3 columns (meter, value, taken_at), found {len(cells)}"
        )
    name, raw_value, raw_ts = (cell.replace("\ufeff", "").strip() for cell in cells)  # Excel BOM
    meter = meters.find(line, name)
    try:
        value = Decimal(raw_value)
    except InvalidOperation:
        raise InvalidInput(f"line {line}: value {raw_value!r} is not a number") from None
    if not value.is_finite() or not 0 <= value < _MAX_VALUE:
        raise InvalidInput(f"line {line}: value {raw_value!r} must be from 0 to {_MAX_VALUE}")
    try:
        ts = datetime.fromisoformat(raw_ts)
    except ValueError:
        raise InvalidInput(
            f"line {line}: taken_at {raw_ts!r} is not a date and time like 2026-10-31 23:59"
        ) from None
    ts = (ts.replace(tzinfo=zone) if ts.tzinfo is None else ts).astimezone(UTC)
    if ts > now + _CLOCK_SLACK:
        raise InvalidInput(f"line {line}: taken_at {raw_ts!r} is in the future")
    return _Row(line, meter, value, ts)


def _split_known(session: Session, rows: list[_Row], errors: list[str]) -> tuple[list[_Row], int]:
    """Rows not stored yet, and how many are stored already with the same value; a stored
    reading with another value (or a clash inside the file) is an error, never overwritten."""
    seen: dict[tuple[int, datetime], _Row] = {}
    new: list[_Row] = []
    unchanged = 0
    for row in rows:
        key = (row.meter.device_id, row.ts)
        earlier = seen.setdefault(key, row)
        if earlier is not row:
            if earlier.value != row.value:
                errors.append(
                    f"line {row.line}: {row.meter.device.code} at {row.ts:%Y-%m-%d %H:%M} UTC "
                    f"is also on line {earlier.line} with another value"
                )
            unchanged += 1
            continue
        stored = session.scalars(
            select(Reading).where(
                Reading.device_id == row.meter.device_id,
                Reading.metric == row.meter.reading_key,
                Reading.ts == row.ts,
            )
        ).one_or_none()
        if stored is None:
            new.append(row)
        elif stored.value == row.value:
            unchanged += 1
        else:
            errors.append(
                f"line {row.line}: {row.meter.device.code} already has {stored.value} at "
                f"{row.ts:%Y-%m-%d %H:%M} UTC (source {stored.source}); not overwritten"
            )
    return new, unchanged
