"""The InfluxDB sink against a real InfluxDB 1.x (Debian's `influxdb`), started for the session.

Readings go in through the sink and come back out through InfluxDB's own `/query`. Without
/usr/bin/influxd these tests skip, except in CI (`apt-get install influxdb`).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
import pytest

from adapters.influx import InfluxTarget, InfluxWriter, Sample
from adapters.mqtt.broker import free_port
from hub.context import HubContext
from hub.errors import ConfigError, ServiceUnavailable
from hub.services.site import LoadResult
from hub.settings import Settings
from hub.timeseries import ReadingRow, influx_sink, sinks
from tests.support.worker import eventually, make_worker, publish, running

INFLUXD = shutil.which("influxd") or "/usr/bin/influxd"
T0 = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)  # an hour before the test clock: a fresh reading
NS = 1_000_000_000

_CONFIG = """\
reporting-disabled = true
bind-address = "127.0.0.1:{rpc}"
[meta]
  dir = "{dir}/meta"
[data]
  dir = "{dir}/data"
  wal-dir = "{dir}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:{http}"
  log-enabled = false
[logging]
  level = "warn"
"""


@pytest.fixture(scope="session")
def influxd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private InfluxDB 1.x on free ports; its URL."""
    if not os.access(INFLUXD, os.X_OK):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but influxd is missing: apt-get install influxdb")
        pytest.skip("influxd is not installed (apt-get install influxdb)")
    directory = tmp_path_factory.mktemp("influxdb")
    port = free_port()
    config = directory / "influxdb.conf"
    config.write_text(_CONFIG.format(dir=directory, rpc=free_port(), http=port))
    log = (directory / "influxd.log").open("wb")
    process = subprocess.Popen([INFLUXD, "-config", str(config)], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, directory / "influxd.log")
        yield url
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"influxd exited with {process.returncode}: {log.read_text()}")
        try:
            if httpx2.get(f"{url}/ping", timeout=1).status_code == 204:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.05)  # a process starting up, no event to wait on
    raise TimeoutError(f"influxd did not answer on {url} within 15 s")


@pytest.fixture
def database(influxd: str) -> str:
    """A fresh database for one test."""
    name = f"t_{secrets.token_hex(4)}"
    influxql(influxd, f'CREATE DATABASE "{name}"', method="POST")
    return name


def influxql(url: str, query: str, *, db: str = "", method: str = "GET") -> list[dict[str, Any]]:
    """Run InfluxQL through 1.x `/query`; the series of the first statement."""
    params = {"q": query, "db": db, "epoch": "ns"}
    answer = httpx2.request(method, f"{url}/query", params=params, timeout=5)
    answer.raise_for_status()
    result = answer.json()["results"][0]
    assert "error" not in result, result["error"]
    series: list[dict[str, Any]] = result.get("series", [])
    return series


def rows_of(series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [dict(zip(s["columns"], values, strict=True)) for s in series for values in s["values"]]


def row(metric: str, seconds: int, value: str | None, text: str | None = None) -> ReadingRow:
    at = T0 + timedelta(seconds=seconds)
    number = None if value is None else Decimal(value)
    return ReadingRow("green-garden", "em-b1-101", 1, metric, at, number, text, at)


def v1_settings(url: str, db: str) -> Settings:
    return Settings(influx_url=url, influx_db=db)


def test_readings_come_back_with_their_time_tags_and_exact_digits(
    influxd: str, database: str
) -> None:
    sink = influx_sink(v1_settings(influxd, database))
    assert sink is not None
    sink.write(
        [
            row("energy_kwh", 0, "1234.560000"),
            row("energy_kwh", 60, "1234.610000"),
            row("door", 60, None, text='open "front"'),
        ]
    )
    found = rows_of(influxql(influxd, "SELECT * FROM reading ORDER BY time", db=database))

    t0 = int(T0.timestamp()) * NS
    assert found == [
        {
            "time": t0,
            "site": "green-garden",
            "device": "em-b1-101",
            "metric": "energy_kwh",
            "value": 1234.56,
            "text": None,
        },
        {
            "time": t0 + 60 * NS,
            "site": "green-garden",
            "device": "em-b1-101",
            "metric": "door",
            "value": None,
            "text": 'open "front"',
        },
        {
            "time": t0 + 60 * NS,
            "site": "green-garden",
            "device": "em-b1-101",
            "metric": "energy_kwh",
            "value": 1234.61,
            "text": None,
        },
    ]


def test_a_replayed_batch_leaves_one_point_per_reading(influxd: str, database: str) -> None:
    batch = [row("energy_kwh", n, f"{n}.5") for n in range(50)]
    sink = influx_sink(v1_settings(influxd, database))
    assert sink is not None
    sink.write(batch)
    sink.write(batch)  # a redelivered batch
    sink.write([])  # nothing to send is not an error
    count = rows_of(influxql(influxd, "SELECT count(value) FROM reading", db=database))
    assert count[0]["count"] == 50


async def test_what_the_hub_worker_ingests_is_copied_to_influx(
    influxd: str,
    database: str,
    context: HubContext,
    site: LoadResult,
    mqtt_url: str,
    topic_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker copies each committed batch's readings to InfluxDB (HUB_INFLUX_*)."""
    monkeypatch.setattr(context, "settings", v1_settings(influxd, database))
    ms = int(T0.timestamp() * 1000)
    payload = f'{{"ts": {ms}, "values": {{"water_m3": 12.345, "leak": true}}}}'
    topic = f"{topic_prefix}/green-garden/wm-b1-102/telemetry"
    query = "SELECT value FROM reading WHERE device = 'wm-b1-102' GROUP BY metric"

    def copied() -> dict[str, Any] | None:
        series = influxql(influxd, query, db=database)
        by_metric = {s["tags"]["metric"]: s["values"] for s in series}
        return by_metric if len(by_metric) == 2 else None

    async with running(make_worker(context, mqtt_url, topic_prefix)):
        await asyncio.to_thread(publish, mqtt_url, [(topic, payload, False)])
        by_metric = await eventually(copied, "the readings in InfluxDB")
    assert by_metric == {
        "leak": [[int(T0.timestamp()) * NS, 1]],
        "water_m3": [[int(T0.timestamp()) * NS, 12.345]],
    }


def test_an_unknown_database_is_refused_with_influxdbs_reason(influxd: str) -> None:
    sink = influx_sink(v1_settings(influxd, "no_such_db"))
    assert sink is not None
    with pytest.raises(ServiceUnavailable, match='HTTP 404 database not found: "no_such_db"'):
        sink.write([row("energy_kwh", 0, "1")])


def test_a_2x_setting_against_a_1x_server_says_which_to_use(influxd: str) -> None:
    """influxdb-client's write_api (2.x/3.x) gets a 404 from 1.x: the message says what to set."""
    settings = Settings(
        influx_url=influxd, influx_org="estate", influx_bucket="readings", influx_token="t"
    )
    sink = influx_sink(settings)
    assert sink is not None
    with pytest.raises(ServiceUnavailable, match=r"HTTP 404 .*set HUB_INFLUX_DB instead"):
        sink.write([row("energy_kwh", 0, "1")])
    sink.close()


@pytest.mark.parametrize("v1", [True, False])
def test_influxdb_down_is_service_unavailable(v1: bool) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    target = (
        InfluxTarget(url, database="x") if v1 else InfluxTarget(url, org="o", bucket="b", token="t")
    )
    sample = Sample("reading", {"device": "em-b1-101"}, {"value": Decimal("1.5")}, T0)
    with (
        InfluxWriter(target) as writer,
        pytest.raises(ServiceUnavailable, match=f"InfluxDB at {url} .* cannot be reached"),
    ):
        writer.write([sample])


def test_settings_pick_the_api_or_say_what_is_missing(context: HubContext) -> None:
    assert influx_sink(Settings(influx_url="")) is None
    assert [type(s).__name__ for s in sinks(Settings(influx_url=""), context.db)] == ["SqlSink"]
    with pytest.raises(ConfigError, match=r"HUB_INFLUX_DB for 1\.x, or HUB_INFLUX_ORG"):
        influx_sink(Settings(influx_url="http://127.0.0.1:8086"))
    with pytest.raises(ConfigError, match="not both"):
        influx_sink(Settings(influx_url="http://h:8086", influx_db="d", influx_bucket="b"))
    with pytest.raises(ConfigError, match="is not http"):
        influx_sink(Settings(influx_url="127.0.0.1:8086", influx_db="d"))


def test_a_bad_influx_url_is_reported_without_its_password() -> None:
    with pytest.raises(ConfigError) as refused:
        InfluxTarget(url="ftp://hub:s3cret@influx:8086", database="d")
    assert "s3cret" not in str(refused.value)
    assert "ftp://hub:***@influx:8086" in str(refused.value)
    assert "s3cret" not in str(InfluxTarget(url="http://hub:s3cret@influx:8086", database="d"))
