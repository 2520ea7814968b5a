"""A device's readings over a range, bucketed by the database, checked against sums done by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services.site import LoadResult
from hub.storage.models import Device
from hub.storage.readings import store_readings
from tests.conftest import ApiClient

T0 = datetime.fromisoformat("2026-11-09T00:00:00+00:00")


def _device(context: HubContext, code: str) -> int:
    with context.db.session() as session:
        return session.scalars(select(Device.id).where(Device.code == code)).one()


def _store(context: HubContext, device_id: int, rows: list[tuple[str, int, str | None]]) -> None:
    """Readings of (metric, seconds after T0, value; None for a text reading)."""
    with context.db.session() as session:
        store_readings(
            session,
            [
                (
                    device_id,
                    metric,
                    T0 + timedelta(seconds=s),
                    None if v is None else Decimal(v),
                    "on" if v is None else None,
                    T0,
                )
                for metric, s, v in rows
            ],
            source="test",
        )
        session.commit()


def _readings(api: ApiClient, device_id: int, user: str = "operator", **query: Any) -> Any:
    params = {"from": T0.isoformat(), "to": (T0 + timedelta(minutes=10)).isoformat(), **query}
    response = api.get(f"/api/v1/devices/{device_id}/readings", as_user=user, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_ten_minutes_in_five_buckets_of_two(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    pump = _device(context, "pump-1")
    _store(
        context,
        pump,
        [
            ("pressure_bar", -1, "9"),  # before the range
            ("pressure_bar", 0, "1.5"),  # bucket 0 [0, 120 s)
            ("pressure_bar", 60, "2.5"),
            ("pressure_bar", 119, "3.25"),
            ("pressure_bar", 120, "1"),  # bucket 1 [120, 240 s)
            ("pressure_bar", 130, "1"),
            ("pressure_bar", 239, "2"),
            ("pressure_bar", 599, "0.000001"),  # bucket 4 [480, 600 s)
            ("pressure_bar", 600, "7"),  # `to` is excluded
            ("current_a", 300, "4.1"),  # bucket 2
            ("running", 310, None),  # text: no bucket, but a last value
        ],
    )
    found = _readings(api, pump, buckets=5)
    assert (found["bucket_s"], found["start"], found["end"]) == (
        120,
        "2026-11-09T00:00:00Z",
        "2026-11-09T00:10:00Z",
    )
    series = {s["metric"]: s["buckets"] for s in found["series"]}
    assert list(series) == ["current_a", "pressure_bar"]
    # by hand: (1.5 + 2.5 + 3.25) / 3 = 2.416666..., (1 + 1 + 2) / 3 = 1.333333...
    assert series["pressure_bar"] == [
        {
            "start": "2026-11-09T00:00:00Z",
            "min": "1.5",
            "max": "3.25",
            "mean": "2.416667",
            "count": 3,
        },
        {"start": "2026-11-09T00:02:00Z", "min": "1", "max": "2", "mean": "1.333333", "count": 3},
        {
            "start": "2026-11-09T00:08:00Z",
            "min": "0.000001",
            "max": "0.000001",
            "mean": "0.000001",
            "count": 1,
        },
    ]
    assert series["current_a"] == [
        {"start": "2026-11-09T00:04:00Z", "min": "4.1", "max": "4.1", "mean": "4.1", "count": 1}
    ]
    # the last values before `to`: 7 at 600 s is after the range
    assert [(v["metric"], v["value"], v["text"]) for v in found["last_values"]] == [
        ("current_a", "4.1", None),
        ("pressure_bar", "0.000001", None),
        ("running", None, "on"),
    ]

    one = _readings(api, pump, metric="pressure_bar", buckets=1)
    assert [s["metric"] for s in one["series"]] == ["pressure_bar"]
    # by hand: 1.5 + 2.5 + 3.25 + 1 + 1 + 2 + 0.000001 = 11.250001, / 7 = 1.607143
    assert one["series"][0]["buckets"] == [
        {
            "start": "2026-11-09T00:00:00Z",
            "min": "0.000001",
            "max": "3.25",
            "mean": "1.607143",
            "count": 7,
        }
    ]
    assert [v["metric"] for v in one["last_values"]] == ["pressure_bar"]


def test_an_uneven_range_rounds_the_width_up(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    pump = _device(context, "pump-1")
    _store(context, pump, [("pressure_bar", 0, "1"), ("pressure_bar", 599, "3")])
    # 600 s in 7 buckets: 86 s each (85.7 rounded up); 599 s is in bucket 6 (516 to 602 s)
    found = _readings(api, pump, buckets=7)
    assert found["bucket_s"] == 86
    starts = [b["start"] for b in found["series"][0]["buckets"]]
    assert starts == ["2026-11-09T00:00:00Z", "2026-11-09T00:08:36Z"]


def test_the_default_range_is_the_last_24_hours(
    api: ApiClient, context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    pump = _device(context, "pump-1")
    now = clock.now()
    hours_before = int((now - T0).total_seconds())
    _store(context, pump, [("pressure_bar", hours_before - 3600, "2")])
    response = api.get(f"/api/v1/devices/{pump}/readings", as_user="admin")
    found = response.json()
    assert response.status_code == 200 and found["bucket_s"] == 24 * 3600 // 200
    assert found["end"] == now.isoformat().replace("+00:00", "Z")
    assert [b["count"] for b in found["series"][0]["buckets"]] == [1]
    week = api.get(f"/api/v1/devices/{pump}/readings", as_user="admin", params={"hours": 168})
    assert week.json()["start"] == (now - timedelta(days=7)).isoformat().replace("+00:00", "Z")


def test_bad_ranges_are_refused_with_a_code(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    pump = _device(context, "pump-1")
    path = f"/api/v1/devices/{pump}/readings"
    later = (T0 + timedelta(hours=1)).isoformat()
    cases = [
        ("bad_range", {"from": later, "to": T0.isoformat()}),
        ("bad_range", {"to": "0001-01-01T00:00:00Z"}),  # 24 h before it: no such day
        ("range_too_long", {"from": T0.isoformat(), "to": (T0 + timedelta(days=367)).isoformat()}),
        ("invalid_input", {"from": "2026-11-09T00:00:00", "to": later}),  # no time zone
    ]
    for code, params in cases:
        response = api.get(path, as_user="operator", params=params)
        assert (response.status_code, response.json()["code"]) == (422, code), params
    both = api.get(path, as_user="operator", params={"from": T0.isoformat(), "hours": "1"})
    assert (both.status_code, both.json()["code"]) == (422, "invalid_input")
    assert api.get(path, as_user="operator", params={"hours": "8785"}).status_code == 422
    for buckets in ("0", "1001"):
        response = api.get(path, as_user="operator", params={"buckets": buckets})
        assert response.status_code == 422, buckets
    assert api.get(path, as_user="operator", params={"metric": "x" * 65}).status_code == 422
    assert api.get("/api/v1/devices/999999/readings", as_user="admin").status_code == 404
    for user in ("tech", "guard", "finance", "service", "owner101"):
        assert api.get(path, as_user=user).status_code == 403, user
