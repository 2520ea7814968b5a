"""The default time-series sink: the SQL `readings` table, replays stored once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from hub.context import HubContext
from hub.services.site import LoadResult
from hub.storage.models import Device, Reading
from hub.timeseries import ReadingRow, SqlSink


def test_the_sql_sink_stores_each_reading_once(context: HubContext, site: LoadResult) -> None:
    now = context.clock.now()
    with context.db.session() as session:
        meter = session.scalars(select(Device).where(Device.code == "em-b1-101")).one()
    rows = [
        ReadingRow(
            "green-garden",
            meter.code,
            meter.id,
            "energy_kwh",
            now - timedelta(minutes=n),
            Decimal(f"100.{n}"),
            None,
            now,
        )
        for n in range(3)
    ]
    sink = SqlSink(context.db)
    sink.write(rows)
    sink.write(rows[:2])  # a replay
    sink.write([])

    with context.db.session() as session:
        stored = session.execute(
            select(Reading.ts, Reading.value)
            .where(Reading.device_id == meter.id)
            .order_by(Reading.ts)
        ).all()
    assert [(ts, value) for ts, value in stored] == [
        (now - timedelta(minutes=2), Decimal("100.2")),
        (now - timedelta(minutes=1), Decimal("100.1")),
        (now, Decimal("100.0")),
    ]
