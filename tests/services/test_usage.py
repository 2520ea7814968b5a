"""An owner's monthly use per meter, from readings around Asia/Shanghai month boundaries."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hub.context import HubContext
from hub.services.site import LoadResult
from hub.services.usage import owner_usage
from hub.storage.models import User
from tests.services.test_billing import add_readings

NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # 10:00 on 10 November in Shanghai


def user(session: Session, username: str) -> User:
    return session.scalars(sa.select(User).where(User.username == username)).one()


def months_of(found: list, meter: str) -> dict[str, Decimal | None]:
    [usage] = [item for item in found if item.meter == meter]
    return {month.period: month.quantity for month in usage.months}


def test_each_month_is_its_end_reading_minus_its_start(
    context: HubContext, site: LoadResult
) -> None:
    with context.db.session() as session:
        add_readings(
            session,
            "em-b1-101",
            "energy_kwh",
            ("2026-08-31 23:00", "900"),
            ("2026-09-30 23:00", "1000"),
            ("2026-10-15 12:00", "1100"),
            ("2026-10-31 23:59", "1250"),
            ("2026-11-01 00:00", "1251"),  # midnight on the 1st ends October
            ("2026-11-09 08:00", "1300"),
        )
        found = owner_usage(session, user(session, "owner101"), now=NOW)
    assert [(u.home, u.meter, u.utility, u.unit) for u in found] == [
        ("B1/101", "em-b1-101", "electricity", "kWh"),
        ("B1/101", "wm-b1-101", "water", "m3"),
    ]
    electricity = months_of(found, "em-b1-101")
    assert list(electricity) == ["2025-12"] + [f"2026-{m:02d}" for m in range(1, 12)]
    assert electricity["2026-09"] == Decimal(100)
    assert electricity["2026-10"] == Decimal(251)
    assert electricity["2026-11"] == Decimal(49)  # so far this month
    assert electricity["2026-08"] == 0  # commissioned on its last day, as billing counts it
    assert electricity["2026-07"] is None
    [usage] = [u for u in found if u.meter == "em-b1-101"]
    assert [m.complete for m in usage.months][-2:] == [True, False]
    assert set(months_of(found, "wm-b1-101").values()) == {None}  # no readings: no figures


def test_a_meter_commissioned_mid_month_counts_from_its_first_reading(
    context: HubContext, site: LoadResult
) -> None:
    with context.db.session() as session:
        add_readings(
            session, "wm-b1-101", "water_m3", ("2026-10-10 09:00", "5"), ("2026-10-31 20:00", "8.5")
        )
        found = owner_usage(session, user(session, "owner101"), now=NOW)
    water = months_of(found, "wm-b1-101")
    assert water["2026-10"] == Decimal("3.5")
    assert water["2026-11"] is None  # no reading since


def test_a_register_going_backwards_has_no_figure(context: HubContext, site: LoadResult) -> None:
    with context.db.session() as session:
        add_readings(
            session,
            "em-b1-101",
            "energy_kwh",
            ("2026-09-30 23:00", "1000"),
            ("2026-10-31 23:00", "20"),  # meter replaced
            ("2026-11-05 23:00", "30"),
        )
        found = owner_usage(session, user(session, "owner101"), now=NOW)
    electricity = months_of(found, "em-b1-101")
    assert electricity["2026-10"] is None
    assert electricity["2026-11"] == Decimal(10)


def test_an_owner_sees_only_own_meters_and_staff_none(
    context: HubContext, site: LoadResult
) -> None:
    with context.db.session() as session:
        add_readings(session, "em-b1-102", "energy_kwh", ("2026-10-31 20:00", "310"))
        assert [u.meter for u in owner_usage(session, user(session, "owner102"), now=NOW)] == [
            "em-b1-102",
            "wm-b1-102",
        ]
        assert owner_usage(session, user(session, "finance"), now=NOW) == []
