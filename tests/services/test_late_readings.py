"""A reading back-dated into a billed month never changes a bill: it is flagged for finance, and
the next month still starts where the billed one ended."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from adapters.mqtt.subscriber import ReceivedMessage
from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import ShareBasis, Utility
from hub.ingest import ingest
from hub.services.billing import period_containing, run_billing
from hub.services.late_readings import _latest_month_end, flag_late_readings, list_late_readings
from hub.services.meter_readings import import_readings
from hub.services.site import LoadResult, load_site
from hub.storage.models import Bill, Device, LateReading, Reading
from tests.conftest import ApiClient
from tests.services.test_billing import bill_json, bill_of
from tests.services.test_common_areas import with_common_meters

SHANGHAI = ZoneInfo("Asia/Shanghai")
BILLED_AT = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # the test clock's start


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def add(session: Session, code: str, metric: str, when: str, value: str, received: datetime) -> int:
    device_id = session.scalars(sa.select(Device.id).where(Device.code == code)).one()
    reading = Reading(
        device_id=device_id,
        metric=metric,
        ts=local(when),
        value=Decimal(value),
        received_at=received,
    )
    session.add(reading)
    session.flush()
    return reading.id


def meter_line(session: Session, home: str, period: str, meter: str) -> dict[str, object]:
    view = bill_json(session, bill_of(session, home, period))
    return next(line for line in view["lines"] if meter in line["description"])


@pytest.fixture
def october_billed(context: HubContext, site: LoadResult) -> int:
    """October billed at the test clock's start; the id of em-b1-102's October end reading."""
    with context.db.session() as s:
        add(s, "em-b1-102", "energy_kwh", "2026-09-30 20:00", "0", BILLED_AT)
        end = add(s, "em-b1-102", "energy_kwh", "2026-10-31 20:00", "80", BILLED_AT)
        run_billing(s, period="2026-10", now=BILLED_AT)
    return end


def _back_dated(when: str, kwh: int) -> ReceivedMessage:
    """An October reading of em-b1-102 arriving in November, as an edge gateway's replay."""
    payload = {"ts": round(local(when).timestamp() * 1000), "values": {"energy_kwh": kwh}}
    payload["replayed"] = True
    topic = "estate/green-garden/em-b1-102/telemetry"
    return ReceivedMessage(topic, json.dumps(payload).encode(), False)


def test_a_back_dated_reading_changes_no_bill_and_is_flagged(
    context: HubContext, clock: FakeClock, october_billed: int
) -> None:
    with context.db.session() as s:
        october_total = bill_of(s, "B1/102", "2026-10").total
    clock.advance(timedelta(hours=1))
    with context.db.session() as s:  # forged low: November would have counted 10 kWh more
        result = ingest(s, _back_dated("2026-10-31 22:00", 70), prefix="estate", now=clock.now())
    assert (result.readings, result.dead_letter) == (1, None)

    with context.db.session() as s:
        again = run_billing(s, period="2026-10", now=clock.now())
        assert (again.billed, again.skipped) == ([], 3)
        assert bill_of(s, "B1/102", "2026-10").total == october_total
        [late] = list_late_readings(s)
    assert (late.home, late.period, late.meter, late.value) == (
        "B1/102",
        "2026-10",
        "em-b1-102",
        "70",
    )
    assert (late.ts, late.received_at, late.flagged_at) == (
        local("2026-10-31 22:00"),
        clock.now(),
        clock.now(),
    )
    assert late.source == "mqtt"

    with context.db.session() as s:
        add(s, "em-b1-102", "energy_kwh", "2026-11-30 20:00", "150", clock.now())
        run_billing(s, period="2026-11", now=datetime(2026, 12, 10, tzinfo=UTC))
        line = meter_line(s, "B1/102", "2026-11", "em-b1-102")
    assert line["start_reading"] == {
        "id": october_billed,
        "value": "80",
        "ts": "2026-10-31T12:00:00Z",  # 20:00 in Shanghai
        "original": None,  # not corrected
    }
    assert line["quantity"] == "70"


def test_a_late_manual_reading_is_flagged_too(
    context: HubContext, clock: FakeClock, october_billed: int
) -> None:
    clock.advance(timedelta(days=1))
    rows = [["em-b1-102", "85", "2026-10-31 23:00"], ["em-b1-102", "90", "2026-11-05 08:00"]]
    with context.db.session() as s:
        import_readings(s, site_code="green-garden", rows=rows, now=clock.now())
        flagged = list_late_readings(s)
    assert [(f.value, f.source, f.period) for f in flagged] == [("85", "manual", "2026-10")]


def test_only_meter_readings_of_billed_months_are_flagged(
    context: HubContext, clock: FakeClock, october_billed: int
) -> None:
    clock.advance(timedelta(hours=1))
    points = [
        ("em-b1-102", "2026-10-25 08:00"),  # October, billed: late
        ("em-b1-102", "2026-11-09 08:00"),  # November is still open
        ("em-b2-201", "2026-10-20 08:00"),  # its home's October bill is gone (below)
        ("pump-1", "2026-10-20 08:00"),  # not a meter
    ]
    with context.db.session() as s:
        s.delete(bill_of(s, "B2/201", "2026-10"))
        s.flush()
        ids = {code: i for code, i in s.execute(sa.select(Device.code, Device.id))}
        rows = [
            (
                add(s, code, "energy_kwh", when, "5", clock.now()),
                ids[code],
                "energy_kwh",
                local(when),
            )
            for code, when in points
        ]
        assert flag_late_readings(s, rows, now=clock.now()) == 1
        assert s.scalars(sa.select(LateReading.reading_id)).all() == [rows[0][0]]


def test_the_reading_at_midnight_on_the_first_ends_the_month_before() -> None:
    assert period_containing(local("2026-11-01 00:00"), "Asia/Shanghai").text == "2026-10"
    assert period_containing(local("2026-11-01 00:00:01"), "Asia/Shanghai").text == "2026-11"


def test_finance_lists_late_readings(
    api: ApiClient, context: HubContext, clock: FakeClock, october_billed: int
) -> None:
    clock.advance(timedelta(hours=1))
    with context.db.session() as s:
        ingest(s, _back_dated("2026-10-31 22:00", 70), prefix="estate", now=clock.now())
    response = api.get("/api/v1/billing/late-readings", as_user="finance")
    assert response.status_code == 200, response.text
    [row] = response.json()
    assert {k: row[k] for k in ("home", "period", "meter", "metric", "value", "source")} == {
        "home": "B1/102",
        "period": "2026-10",
        "meter": "em-b1-102",
        "metric": "energy_kwh",
        "value": "70",
        "source": "mqtt",
    }
    assert api.get("/api/v1/billing/late-readings", as_user="owner101").status_code == 403


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 15, 12, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 9, 59, tzinfo=UTC),
        datetime(2026, 11, 30, 10, 0, tzinfo=UTC),  # December begins at UTC+14
        datetime(2026, 12, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 12, 0, tzinfo=UTC),  # ... and at UTC-12
        datetime(2026, 12, 1, 12, 1, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
    ],
)
def test_no_month_that_ended_anywhere_is_skipped_by_the_quick_check(now: datetime) -> None:
    """The quick check lets through every reading of a month that has ended at some UTC offset."""
    bound = _latest_month_end(now)
    assert bound <= now
    for quarters in range(-12 * 4, 14 * 4 + 1):
        zone = timezone(timedelta(minutes=15 * quarters))
        local_now = now.astimezone(zone)
        month_start = local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        assert month_start <= bound  # the latest month end at this offset


def test_mid_month_only_last_months_readings_are_looked_up() -> None:
    mid = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
    assert _latest_month_end(mid) == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def test_a_late_reading_of_a_common_meter_is_flagged_against_its_months_shares(
    context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    """Once October's bills are out, a back-dated reading of the lift meter cannot change the
    shares: it is listed for finance as 公摊 common, against the month's first bill."""
    with context.db.session() as s:
        load_site(
            s,
            with_common_meters(("em-lift-b1", "B1", Utility.ELECTRICITY, ShareBasis.AREA)),
            now=clock.now(),
        )
        add(s, "em-lift-b1", "energy_kwh", "2026-09-30 23:00", "500", BILLED_AT)
        add(s, "em-lift-b1", "energy_kwh", "2026-10-31 23:00", "600", BILLED_AT)
        run_billing(s, period="2026-10", now=BILLED_AT)
        first = s.scalars(sa.select(Bill.id).order_by(Bill.id)).first()
    clock.advance(timedelta(hours=1))
    with context.db.session() as s:
        stored = add(s, "em-lift-b1", "energy_kwh", "2026-10-31 23:30", "640", clock.now())
        assert flag_late_readings(s, [(stored, *device_metric(s, stored))], now=clock.now()) == 1
        [late] = list_late_readings(s)
    assert (late.home, late.period, late.meter, late.bill_id) == (
        "公摊 common",
        "2026-10",
        "em-lift-b1",
        first,
    )


def device_metric(session: Session, reading_id: int) -> tuple[int, str, datetime]:
    reading = session.get(Reading, reading_id)
    assert reading is not None
    return reading.device_id, reading.metric, reading.ts
