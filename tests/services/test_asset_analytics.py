"""设备故障分析: figures of tests/support/asset_failures.py worked out by hand.

November 2026 in Shanghai has 30 days: 720 h. The clock stands at 2026-12-05.

EL-B1-1 (elevator): failures A, B, C, D (E is October's, the cancelled one never counts).
  A 08-12, B 10-20, C 11-13 on Nov 5 overlap: their union 08:00-20:00 is 12 h (not 16);
  D is 6 h. Downtime 18 h, operating 720 - 18 = 702 h. MTBF 702 / 4 = 175.5 h.
  MTTR (4 + 10 + 2 + 6) / 4 = 5.5 h. Availability 702 / 720 = 97.50 %.
  Per 1,000 h: 4000 / 702 = 5.698 -> 5.70; per month: 4 * 720 / 702 = 4.103 -> 4.10.
  Repeats: A (15 d 22 h after E's completion) and D (14 d 19 h after C's); B and C opened
  while the one before was still open: not repeats. 2.
EL-B2-1 (elevator): failure G only (F opened in October). F's last 4 h (Nov 1 00-04) and G's
  Nov 28 16:00 - Dec 1 00:00 = 56 h are downtime: 60 h, operating 660 h. MTBF 660.0 h;
  MTTR none (G still open). Availability 660 / 720 = 91.666 -> 91.67 %. G is a repeat: opened
  27 d 12 h after F's completion.
WP-1 (water pump): retired Nov 16 00:00, so scheduled 15 d = 360 h. H runs Nov 14 - Nov 17 but
  only 48 h fall in scheduled time: operating 312 h. MTBF 312.0 h, MTTR 72.0 h (the whole
  order), availability 312 / 360 = 86.666 -> 86.67 %.
WP-2 (standby all month): scheduled 0, no availability.
FAP-1, AG-NORTH: 720 h each, no failures, 100 %.

Elevators: 5 failures over 1440 h scheduled, 78 h down, 1362 h operating: MTBF 272.4 h,
  MTTR 22 / 4 = 5.5 h, availability 94.583 -> 94.58 %, 3 repeats.
Estate: 6 failures; scheduled 1440 + 360 + 0 + 720 + 720 = 3240 h, down 126 h, operating 3114 h:
  MTBF 519.0 h, MTTR (22 + 72) / 5 = 18.8 h, availability 3114 / 3240 = 96.11 %.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import AssetClass
from hub.services import asset_analytics
from hub.services.asset_analytics import Analytics, Figures
from hub.services.maintenance import tasks
from hub.services.site import LoadResult
from hub.storage.models import Device, Site
from tests.support.asset_failures import asset_of, local, report_readings, seed_asset_failures
from tests.support.maintenance import (
    asset_id,
    elevators_every_ten_days,
    without_sample_plans,
)
from tests.support.repairs import repair
from tests.support.work_orders import staff

NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


@pytest.fixture
def november(context: HubContext, site: LoadResult, clock: FakeClock) -> Analytics:
    seed_asset_failures(context)
    clock.set(NOW)
    with context.db.session() as session:
        return asset_analytics.analyse(
            session,
            estate_id=site.site_id,
            start=date(2026, 11, 1),
            end=date(2026, 12, 1),
            now=clock.now(),
        )


def row(found: Analytics, code: str) -> Figures:
    return next(r.figures for r in found.assets if r.code == code)


def test_overlapping_repairs_count_once(november: Analytics) -> None:
    assert row(november, "EL-B1-1") == Figures(
        failures=4,
        repeat_failures=2,
        scheduled_hours=720.0,
        downtime_hours=18.0,
        operating_hours=702.0,
        repairs_completed=4,
        mtbf_hours=175.5,
        mttr_hours=5.5,
        failures_per_1000_hours=5.70,
        failures_per_month=4.10,
        availability_pct=97.50,
        maintenance_cost=Decimal("0.00"),  # no maintenance record
        pm_due=0,
        pm_on_time=0,
        pm_compliance_pct=None,
    )


def test_an_open_order_is_down_until_the_period_ends(november: Analytics) -> None:
    figures = row(november, "EL-B2-1")
    assert (figures.failures, figures.repeat_failures, figures.downtime_hours) == (1, 1, 60.0)
    assert (figures.mtbf_hours, figures.mttr_hours, figures.availability_pct) == (
        660.0,
        None,
        91.67,
    )


def test_a_retired_asset_counts_only_while_it_existed(november: Analytics) -> None:
    figures = row(november, "WP-1")
    assert (figures.scheduled_hours, figures.downtime_hours, figures.operating_hours) == (
        360.0,
        48.0,
        312.0,
    )
    assert (figures.mtbf_hours, figures.mttr_hours, figures.availability_pct) == (
        312.0,
        72.0,
        86.67,
    )
    standby = row(november, "WP-2")
    assert (standby.scheduled_hours, standby.availability_pct, standby.mtbf_hours) == (
        0.0,
        None,
        None,
    )
    assert row(november, "FAP-1").availability_pct == 100.0


def test_classes_and_the_estate_add_times_before_dividing(november: Analytics) -> None:
    elevators = next(c for c in november.by_class if c.asset_class is AssetClass.ELEVATOR)
    assert elevators.assets == 2
    figures = elevators.figures
    assert (figures.failures, figures.repeat_failures, figures.operating_hours) == (5, 3, 1362.0)
    assert (figures.mtbf_hours, figures.mttr_hours, figures.availability_pct) == (
        272.4,
        5.5,
        94.58,
    )
    totals = november.totals
    assert (totals.failures, totals.scheduled_hours, totals.downtime_hours) == (6, 3240.0, 126.0)
    assert (totals.mtbf_hours, totals.mttr_hours, totals.availability_pct) == (519.0, 18.8, 96.11)


def test_worst_assets_and_no_other_estate(november: Analytics) -> None:
    # EL-B1-1 4 failures; EL-B2-1 and WP-1 one each, EL-B2-1 down longer (60 h vs 48 h)
    assert [r.code for r in november.worst] == ["EL-B1-1", "EL-B2-1", "WP-1"]
    assert november.estate.code == "green-garden"
    assert november.totals.failures == 6  # Silver Court's order is not here


def test_monthly_trend(context: HubContext, site: LoadResult, clock: FakeClock) -> None:
    """October: E (2 h) and F (opened Oct 31 20:00) are its failures; F is down 4 h in October
    (20:00-24:00) and 4 h in November."""
    seed_asset_failures(context)
    clock.set(NOW)
    with context.db.session() as session:
        found = asset_analytics.analyse(
            session,
            estate_id=site.site_id,
            start=date(2026, 10, 1),
            end=date(2026, 12, 1),
            now=clock.now(),
        )
    october, november = found.by_month
    assert (october.month, october.figures.failures, october.figures.downtime_hours) == (
        "2026-10",
        2,
        6.0,
    )
    assert (november.month, november.figures.failures, november.figures.downtime_hours) == (
        "2026-11",
        6,
        126.0,
    )
    assert found.totals.failures == 8


def test_a_counter_that_stopped_rising_is_flagged(context: HubContext, site: LoadResult) -> None:
    """The clock: Nov 10 10:00 Shanghai; the window the 7 days from Nov 3 10:00.
    pump-1 (WP-1's) run_hours stays at 812 from Oct 30: flagged, at 812 since Oct 30.
    gate-north (AG-NORTH's) cycles rise 40 -> 55 on Nov 8: not flagged.
    cpr-north, linked to EL-B1-1 for the test, says running = 0 since Nov 1 (last on Oct 25):
    flagged. em-b1-101, linked to the standby WP-2, stands still: WP-2 is not in service."""
    with context.db.session() as session:
        links = {"cpr-north": "EL-B1-1", "em-b1-101": "WP-2"}
        for device in session.scalars(select(Device).where(Device.code.in_(links))):
            device.asset_id = asset_of(session, "green-garden", links[device.code]).id
        report_readings(session, "pump-1", "run_hours", [("10-28 08", 800), ("10-30 08", 812)])
        report_readings(session, "pump-1", "run_hours", [("11-05 08", 812), ("11-09 08", 812)])
        report_readings(session, "gate-north", "cycles", [("11-01 08", 40), ("11-08 08", 55)])
        report_readings(session, "cpr-north", "running", [("10-25 08", 1), ("11-01 08", 0)])
        report_readings(session, "cpr-north", "running", [("11-09 08", 0)])
        report_readings(session, "em-b1-101", "run_hours", [("10-01 08", 5), ("11-09 08", 5)])
    with context.db.session() as session:
        estate = session.get(Site, site.site_id)
        assert estate is not None
        found = asset_analytics.stalled(session, site=estate, now=context.clock.now(), days=7)
    assert [(s.asset_code, s.device_code, s.metric, s.value, s.last_rise_at) for s in found] == [
        ("EL-B1-1", "cpr-north", "running", None, local("10-25 08")),
        ("WP-1", "pump-1", "run_hours", Decimal(812), local("10-30 08")),
    ]


def test_repair_cost_and_pm_compliance_join_the_figures(
    context: HubContext, site: LoadResult, clock: FakeClock
) -> None:
    """January 2027: an elevator plan every 10 days makes tasks due 4, 14, 24 Jan for both
    elevators. EL-B1-1 does its first on time and its second late, EL-B2-1 its first on time:
    33.3 % and 33.3 %, the class 2 of 6 = 33.3 %. EL-B1-1's repair costs 2 x 12.35 + 30 = ¥54.70
    in January; nothing of February's belongs to it."""
    without_sample_plans(context)
    by_key = elevators_every_ten_days(context, clock, site)
    tech = staff(context, "tech")
    el1, el2 = asset_id(context, site, "EL-B1-1"), asset_id(context, site, "EL-B2-1")
    for key, day in (((el1, 0), 2), ((el1, 1), 15), ((el2, 0), 3)):
        clock.set(datetime(2027, 1, day, 3, 0, tzinfo=UTC))
        with context.db.session() as session:
            tasks.start(session, by_key[key], by=tech, now=clock.now())
            tasks.complete(session, by_key[key], [], by=tech, now=clock.now())
    clock.set(datetime(2027, 1, 20, 3, 0, tzinfo=UTC))
    repair(context, clock, site.site_id, el1, [("2", "12.35")], "30")
    clock.set(datetime(2027, 2, 10, 3, 0, tzinfo=UTC))
    repair(context, clock, site.site_id, el1, [("1", "999")])
    with context.db.session() as session:
        found = asset_analytics.analyse(
            session,
            estate_id=site.site_id,
            start=date(2027, 1, 1),
            end=date(2027, 2, 1),
            now=clock.now(),
        )
    lift1, lift2 = row(found, "EL-B1-1"), row(found, "EL-B2-1")
    assert (lift1.maintenance_cost, lift1.pm_due, lift1.pm_on_time) == (Decimal("54.70"), 3, 1)
    assert (lift1.pm_compliance_pct, lift2.pm_compliance_pct) == (33.3, 33.3)
    assert lift2.maintenance_cost == Decimal("0.00")
    [elevators] = [c for c in found.by_class if c.asset_class is AssetClass.ELEVATOR]
    assert (elevators.figures.pm_due, elevators.figures.pm_on_time) == (6, 2)
    assert elevators.figures.maintenance_cost == Decimal("54.70")
    assert row(found, "FAP-1").pm_compliance_pct is None  # nothing was due
