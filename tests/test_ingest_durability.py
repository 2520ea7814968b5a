"""Nothing lost, nothing twice: a private Mosquitto (deploy/mosquitto.conf) and hub processes
that are killed and restarted while a stream of QoS 1 telemetry is being published."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from adapters.mqtt.broker import free_port
from adapters.mqtt.mosquitto import PrivateMosquitto, mosquitto_binary
from hub.services.site import LoadResult
from tests.support.worker import paho_client

pytestmark = pytest.mark.skipif(
    mosquitto_binary() is None and os.environ.get("CI") != "true",
    reason="needs the mosquitto binary (apt install mosquitto); required when CI=true",
)
ROOT = Path(__file__).resolve().parents[1]
SITE = "green-garden"
METERS = ("em-b1-101", "em-b1-102", "em-b2-201")
METRICS = ("energy_kwh", "power_kw")
FIRST_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[PrivateMosquitto]:
    with PrivateMosquitto(tmp_path / "broker") as running:
        yield running


class Hub:
    """A hub worker process (bench/hub_process.py) that can be killed with -9 and restarted."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.env, self.args = env, args
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Hub:
        command = [sys.executable, "-m", "bench.hub_process", *self.args]
        self.process = subprocess.Popen(command, env=self.env, cwd=ROOT)
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)


@contextmanager
def hubs(
    database_url: str, broker: PrivateMosquitto, prefix: str, tmp: Path, *args: str, count: int = 1
) -> Iterator[list[Hub]]:
    env = {
        **os.environ,
        "HUB_DATABASE_URL": database_url,
        "HUB_MQTT_URL": broker.url,
        "HUB_TOPIC_PREFIX": prefix,
        "HUB_VAR_DIR": str(tmp / "hub-var"),
        "HUB_SECRET_KEY": secrets.token_hex(16),
        "HUB_METRICS_TOKEN": "durability-test-scrape-token",
    }
    ids = [("--worker-id", str(n)) if count > 1 else () for n in range(1, count + 1)]
    started = [Hub({**env, "HUB_API_PORT": str(free_port())}, *args, *i).start() for i in ids]
    try:
        yield started
    finally:
        for hub in started:
            hub.stop()


def meter_readings(database_url: str) -> list[tuple[str, str, int]]:
    """(meter, metric, ts in ms) of every stored meter reading, duplicates kept."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            query = sa.text(
                "SELECT d.code, r.metric, r.ts FROM readings r"
                " JOIN devices d ON d.id = r.device_id WHERE d.code LIKE 'em-%'"
            )
            return [(code, metric, _ms(ts)) for code, metric, ts in conn.execute(query)]
    finally:
        engine.dispose()


def _ms(ts: object) -> int:
    moment = ts if isinstance(ts, datetime) else datetime.fromisoformat(str(ts))
    return round(moment.replace(tzinfo=moment.tzinfo or UTC).timestamp() * 1000)


def stored(database_url: str) -> int:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM readings")).scalar_one())
    finally:
        engine.dispose()


def wait_until(check: Callable[[], bool], what: str, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        time.sleep(0.05)


class Stream:
    """Publishes `count` meter messages at QoS 1 from a thread, riding out broker restarts."""

    def __init__(self, url: str, prefix: str, count: int, rate: float) -> None:
        self.client = paho_client(url, f"meters-{secrets.token_hex(3)}", clean=False)
        self.client.reconnect_delay_set(1, 2)
        self.prefix, self.count, self.rate = prefix, count, rate
        self.readings = count * len(METRICS)
        self.thread = threading.Thread(target=self._publish, daemon=True)

    def _publish(self) -> None:
        self.client.loop_start()
        started = time.monotonic()
        for i in range(self.count):
            meter = METERS[i % len(METERS)]
            payload = f'{{"ts": {FIRST_MS + i}, "values": {{"energy_kwh": {i}, "power_kw": 1.5}}}}'
            self.client.publish(f"{self.prefix}/{SITE}/{meter}/telemetry", payload, qos=1)
            time.sleep(max(0.0, (i + 1) / self.rate - (time.monotonic() - started)))

    def __enter__(self) -> Stream:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.thread.join(30)
        self.client.disconnect()
        self.client.loop_stop()


def hub_started(database_url: str, broker: PrivateMosquitto, prefix: str) -> None:
    """Wait until the hub has subscribed (its persistent session exists from then on)."""
    client = paho_client(broker.url)
    client.loop_start()
    try:
        for second in range(200):
            topic = f"{prefix}/{SITE}/pump-1/telemetry"
            payload = f'{{"ts": {FIRST_MS - 1000 - second}, "values": {{"pressure_bar": 3.2}}}}'
            client.publish(topic, payload, qos=1).wait_for_publish(5)
            if _wait(lambda: stored(database_url) > 0, 0.1):
                return
        raise AssertionError("the hub never stored the warm-up reading")
    finally:
        client.disconnect()
        client.loop_stop()


def _wait(check: Callable[[], bool], within: float) -> bool:
    try:
        wait_until(check, "", within)
    except AssertionError:
        return False
    return True


def meter_rows(database_url: str) -> int:
    return len(meter_readings(database_url))


def exactly_once(database_url: str, stream: Stream) -> None:
    """Every published reading is stored, and none twice."""
    found = meter_readings(database_url)
    expected = [
        (METERS[i % len(METERS)], metric, FIRST_MS + i)
        for i in range(stream.count)
        for metric in METRICS
    ]
    assert len(found) == len(expected)
    assert sorted(found) == sorted(expected)


def test_a_hub_killed_with_sigkill_mid_stream_loses_nothing_and_stores_nothing_twice(
    database_url: str, site: LoadResult, broker: PrivateMosquitto, topic_prefix: str, tmp_path: Path
) -> None:
    with hubs(database_url, broker, topic_prefix, tmp_path) as (hub,):
        hub_started(database_url, broker, topic_prefix)
        with Stream(broker.url, topic_prefix, count=900, rate=300) as stream:
            wait_until(lambda: meter_rows(database_url) >= 300, "a third of the stream")
            hub.kill()  # mid-batch: some committed but not acknowledged, some not committed
            time.sleep(0.5)  # the broker queues for the hub's persistent session meanwhile
            hub.start()
            wait_until(lambda: meter_rows(database_url) >= stream.readings, "every reading", 40)
        time.sleep(0.5)  # a redelivery after the last insert would show up as a second row
    exactly_once(database_url, stream)


def test_a_broker_restart_mid_stream_loses_nothing_and_stores_nothing_twice(
    database_url: str, site: LoadResult, broker: PrivateMosquitto, topic_prefix: str, tmp_path: Path
) -> None:
    with hubs(database_url, broker, topic_prefix, tmp_path):
        hub_started(database_url, broker, topic_prefix)
        with Stream(broker.url, topic_prefix, count=900, rate=300) as stream:
            wait_until(lambda: meter_rows(database_url) >= 300, "a third of the stream")
            broker.stop()  # SIGTERM: Mosquitto writes its persistence file (sessions, queues)
            time.sleep(0.3)
            broker.start()
            wait_until(lambda: meter_rows(database_url) >= stream.readings, "every reading", 40)
        time.sleep(0.5)
    exactly_once(database_url, stream)


def test_two_workers_split_the_stream_through_a_shared_subscription(
    database_url: str, site: LoadResult, broker: PrivateMosquitto, topic_prefix: str, tmp_path: Path
) -> None:
    with hubs(
        database_url, broker, topic_prefix, tmp_path, "--share-group", "hub", count=2
    ) as workers:
        hub_started(database_url, broker, topic_prefix)
        with Stream(broker.url, topic_prefix, count=600, rate=600) as stream:
            wait_until(lambda: meter_rows(database_url) >= stream.readings, "every reading")
        counts = [_messages_handled(hub) for hub in workers]
    exactly_once(database_url, stream)
    assert all(count > 50 for count in counts), counts  # both took a share
    assert sum(counts) >= 600


def _messages_handled(hub: Hub) -> int:
    url = f"http://127.0.0.1:{hub.env['HUB_API_PORT']}/metrics"
    headers = {"Authorization": "Bearer durability-test-scrape-token"}
    for _ in range(100):
        try:
            text = httpx.get(url, headers=headers, timeout=2).text
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    line = next(line for line in text.splitlines() if line.startswith("hub_messages_total "))
    return int(float(line.split()[1]))
