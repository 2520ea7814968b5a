"""Where readings go as time series: the SQL `readings` table always, InfluxDB optionally.

A sink takes committed readings in batches. The SQL store is the default and the source of
truth (rules and bills read it); InfluxDB, when HUB_INFLUX_URL is set, gets a copy for
dashboards and long-range queries (docs/influxdb.md). Writing the same reading again is harmless
in both: SQL skips (device, metric, ts) it has, InfluxDB overwrites the same point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from adapters.influx import InfluxTarget, InfluxWriter, Sample
from hub.settings import Settings
from hub.storage.db import Database
from hub.storage.readings import store_readings
from rules.facts import Observation

MEASUREMENT = "reading"


@dataclass(frozen=True)
class ReadingRow:
    """One value of one metric of one device at one time, with the codes a dashboard shows."""

    site: str
    device: str
    device_id: int
    metric: str
    ts: datetime
    value: Decimal | None
    text: str | None
    received_at: datetime


class TimeSeriesSink(Protocol):
    def write(self, readings: Sequence[ReadingRow]) -> None: ...


def reading_rows(site: str, observation: Observation | None, *, now: datetime) -> list[ReadingRow]:
    """The readings of one ingested message (`site` is the site code from its topic)."""
    if observation is None:
        return []
    device = observation.device
    return [
        ReadingRow(site, device.code, device.id, r.metric, r.ts, r.value, r.text, now)
        for r in observation.readings
    ]


class SqlSink:
    """The `readings` table (the default); one transaction per batch, replays skipped."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def write(self, readings: Sequence[ReadingRow]) -> None:
        if not readings:
            return
        rows = [(r.device_id, r.metric, r.ts, r.value, r.text, r.received_at) for r in readings]
        with self.db.session() as session:
            store_readings(session, rows, source="mqtt")


class InfluxSink:
    """`reading,site=..,device=..,metric=.. value=1234.56` (or `text="..."`) at the reading's ts.

    Raises `ServiceUnavailable` when InfluxDB is down or refuses the batch.
    """

    def __init__(self, writer: InfluxWriter) -> None:
        self.writer = writer

    def write(self, readings: Sequence[ReadingRow]) -> None:
        self.writer.write([_sample(r) for r in readings])

    def close(self) -> None:
        self.writer.close()


def _sample(reading: ReadingRow) -> Sample:
    tags = {"site": reading.site, "device": reading.device, "metric": reading.metric}
    fields: dict[str, Decimal | str] = {}
    if reading.value is not None:
        fields["value"] = reading.value
    if reading.text is not None:
        fields["text"] = reading.text
    return Sample(MEASUREMENT, tags, fields, reading.ts)


def influx_sink(settings: Settings) -> InfluxSink | None:
    """The InfluxDB copy configured by HUB_INFLUX_*, or None when HUB_INFLUX_URL is empty."""
    if not settings.influx_url:
        return None
    target = InfluxTarget(
        settings.influx_url,
        database=settings.influx_db,
        token=settings.influx_token,
        org=settings.influx_org,
        bucket=settings.influx_bucket,
    )
    return InfluxSink(InfluxWriter(target))


def sinks(settings: Settings, db: Database) -> list[TimeSeriesSink]:
    """Every configured sink, the SQL store first."""
    extra = influx_sink(settings)
    return [SqlSink(db), *([extra] if extra else [])]
