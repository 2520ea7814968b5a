"""The billing run's bulk reading of many meters' month answers exactly as the per-meter
query does, for any readings: wraps, resets, silence, meters first read mid-month, readings that
arrived after their month was billed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from hub.context import HubContext
from hub.services.billing.meter_use import MeterUse, meter_use, on_time_filter
from hub.services.billing.month_readings import MonthReadings
from hub.services.site import LoadResult
from hub.storage.models import Device, Meter, Reading

ZONE = "Asia/Shanghai"
START = datetime(2026, 11, 1, tzinfo=ZoneInfo(ZONE))
END = datetime(2026, 12, 1, tzinfo=ZoneInfo(ZONE))
OCTOBER_ISSUED = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)

# a reading: hours from the month's start (before it, inside it, after it), the register's step
# (a drop now and then), and whether it arrived days late (after October's bill)
points = st.lists(
    st.tuples(
        st.integers(min_value=-24 * 60, max_value=24 * 35),
        st.decimals(min_value=-50, max_value=400, places=1),
        st.booleans(),
    ),
    max_size=12,
    unique_by=lambda p: p[0],
)


def _meter(session: Session, code: str) -> Meter:
    device_id = session.scalars(sa.select(Device.id).where(Device.code == code)).one()
    return session.scalars(sa.select(Meter).where(Meter.device_id == device_id)).one()


def _store(session: Session, meter: Meter, steps: list[tuple[int, Decimal, bool]]) -> None:
    session.execute(sa.delete(Reading).where(Reading.device_id == meter.device_id))
    value = Decimal("99900")  # near the electricity meter's 99999.9, so steps up may wrap
    for hours, step, late in sorted(steps):
        value = (value + step) % Decimal("100000.0")
        ts = (START + timedelta(hours=hours)).astimezone(UTC)
        arrived = OCTOBER_ISSUED + timedelta(days=3) if late else ts + timedelta(minutes=5)
        session.add(
            Reading(
                device_id=meter.device_id,
                metric=meter.reading_key,
                ts=ts,
                value=value,
                received_at=arrived,
            )
        )
    session.flush()


def _same(bulk: MeterUse, exact: MeterUse) -> None:
    assert (bulk.start and bulk.start.id) == (exact.start and exact.start.id)
    assert (bulk.end and bulk.end.id) == (exact.end and exact.end.id)
    assert (bulk.problem, bulk.problem_code, bulk.params) == (
        exact.problem,
        exact.problem_code,
        exact.params,
    )
    assert (bulk.quantity, bulk.wraps) == (exact.quantity, exact.wraps)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=points, october_billed=st.booleans())
def test_bulk_answers_as_the_meter_query_does(
    context: HubContext,
    site: LoadResult,
    steps: list[tuple[int, Decimal, bool]],
    october_billed: bool,
) -> None:
    bills = [("2026-10", OCTOBER_ISSUED)] if october_billed else []
    with context.db.session() as session:
        meter = _meter(session, "em-b1-101")
        _store(session, meter, steps)
        bulk = MonthReadings.load(session, [meter], START, END, ZONE).bulk_use(meter, bills)
        exact = meter_use(session, meter, START, END, on_time_filter(bills, ZONE))
        if bulk is not None:
            _same(bulk, exact)
        session.rollback()


def test_a_regular_month_needs_no_meter_query(context: HubContext, site: LoadResult) -> None:
    """Read every 5 days, wrapping once: the bulk answer is there, and it is the exact one."""
    steps = [(hours, Decimal("30.5"), False) for hours in range(-24, 24 * 31, 24 * 5)]
    bills = [("2026-10", OCTOBER_ISSUED)]
    with context.db.session() as session:
        meter = _meter(session, "em-b1-101")
        _store(session, meter, steps)
        bulk = MonthReadings.load(session, [meter], START, END, ZONE).bulk_use(meter, bills)
        assert bulk is not None
        assert (bulk.quantity, bulk.wraps, bulk.problem) == (Decimal("183.0"), 1, None)
        _same(bulk, meter_use(session, meter, START, END, on_time_filter(bills, ZONE)))
