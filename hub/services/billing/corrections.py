"""人工更正: finance or a technician corrects a meter reading (a misread digit, a value read
from a photo of the register). The reading stays as it arrived; the newest correction's value
is what billing uses from then on. A bill already written keeps its amounts: a credit note and
a re-bill (hub/services/billing/credit_notes.py) apply the correction to it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import InvalidInput, NotFound
from hub.services import audit
from hub.services.billing.periods import parse_period
from hub.services.billing.reading_values import corrected_values
from hub.services.billing.text import decimal_text
from hub.services.billing.time_of_use import registers_of
from hub.storage.models import Meter, Reading, ReadingCorrection, Site

_MAX_VALUE = Decimal(10) ** 14  # the readings column holds 14 integer digits


def meter_or_raise(session: Session, meter_id: int) -> Meter:
    meter = session.get(Meter, meter_id)
    if meter is None:
        raise NotFound(f"meter {meter_id} not found")
    return meter


def correct_reading(
    session: Session,
    *,
    meter_id: int,
    reading_id: int,
    value: Decimal,
    reason: str,
    user_id: int,
    now: datetime,
) -> ReadingCorrection:
    """Record what `reading_id` (one of the meter's register readings) should have read."""
    meter = meter_or_raise(session, meter_id)
    reading = session.get(Reading, reading_id)
    if (
        reading is None
        or reading.device_id != meter.device_id
        or reading.metric not in {meter.reading_key, *registers_of(meter).values()}
    ):
        raise NotFound(f"reading {reading_id} of meter {meter.device.code} not found")
    if not reason.strip():
        raise InvalidInput("reason: say why the reading is corrected (更正原因)")
    if value < 0 or value >= _MAX_VALUE:
        raise InvalidInput(f"value: a meter register reads from 0 to below {_MAX_VALUE}")
    correction = ReadingCorrection(
        reading_id=reading.id,
        device_id=reading.device_id,
        original=reading.value,
        value=value,
        reason=reason.strip(),
        created_at=now,
        created_by_id=user_id,
    )
    session.add(correction)
    session.flush()
    was = "none" if reading.value is None else decimal_text(reading.value)
    audit.record(
        session,
        at=now,
        user_id=user_id,
        action="reading_corrected",
        target=f"reading:{reading.id}",
        detail=f"meter {meter.device.code} {reading.metric} at {reading.ts.isoformat()}: "
        f"{was} -> {decimal_text(value)}; {correction.reason}",
    )
    return correction


def list_corrections(session: Session, meter_id: int) -> list[tuple[ReadingCorrection, Reading]]:
    """A meter's corrections with the readings they correct, newest first."""
    meter = meter_or_raise(session, meter_id)
    return [
        (correction, reading)
        for correction, reading in session.execute(
            select(ReadingCorrection, Reading)
            .join(Reading, Reading.id == ReadingCorrection.reading_id)
            .where(ReadingCorrection.device_id == meter.device_id)
            .order_by(ReadingCorrection.id.desc())
        )
    ]


def month_readings(
    session: Session, meter_id: int, period: str, *, limit: int = 500
) -> list[tuple[Reading, Decimal | None]]:
    """A meter's register readings of a month (site time) and the last one before it (the
    month's start reading), oldest first, each with its corrected value if corrected."""
    meter = meter_or_raise(session, meter_id)
    site = session.get(Site, meter.device.site_id)
    assert site is not None  # a foreign key
    start, end = parse_period(period).bounds(site.timezone)
    keys = [meter.reading_key, *registers_of(meter).values()]
    of_meter = select(Reading).where(
        Reading.device_id == meter.device_id,
        Reading.metric.in_(keys),
        Reading.value.is_not(None),
    )
    before = session.scalars(
        of_meter.where(Reading.ts <= start).order_by(Reading.ts.desc()).limit(len(keys))
    ).all()
    during = session.scalars(
        of_meter.where(Reading.ts > start, Reading.ts <= end).order_by(Reading.ts).limit(limit)
    ).all()
    readings = [*reversed(before), *during]
    corrected = corrected_values(session, [r.id for r in readings])
    return [(reading, corrected.get(reading.id)) for reading in readings]
