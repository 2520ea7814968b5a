"""Nothing lost, nothing twice: a private Mosquitto (deploy/mosquitto.conf) and hub processes
that are killed and restarted while a stream of QoS 1 telemetry is being published; and two
partitioned workers (PostgreSQL) that split the stream by site."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pytest
import sqlalchemy as sa

from adapters.mqtt.broker import free_port
from adapters.mqtt.mosquitto import PrivateMosquitto, mosquitto_binary
from hub.context import HubContext
from hub.partitions import Partition
from hub.services.site import LoadResult
from tests.support.sites import OTHER_SITE, load_other_site
from tests.support.worker import paho_client

pytestmark = pytest.mark.skipif(
    mosquitto_binary() is None and os.environ.get("CI") != "true",
    reason="needs the mosquitto binary (apt install mosquitto); required when CI=true",
)
ROOT = Path(__file__).resolve().parents[1]
SITE = "green-garden"
METERS = ("em-b1-101", "em-b1-102", "em-b2-201")
METRICS = ("energy_kwh", "power_kw")
FIRST_MS = (int(time.time()) - 3600) * 1000  # an hour ago: the hub refuses readings days old
HUB_PROCESS = (sys.executable, "-m", "bench.hub_process")  # worker + API (for /metrics)
HUB_CLI = (sys.executable, "-c", "from hub.cli import app; app(prog_name='hub')")  # `hub ...`


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[PrivateMosquitto]:
    with PrivateMosquitto(tmp_path / "broker") as running:
        yield running


class Hub:
    """A hub worker process (bench/hub_process.py, or `hub ...`) that can be killed with -9 and
    restarted."""

    def __init__(
        self, env: dict[str, str], *args: str, command: Sequence[str] = HUB_PROCESS
    ) -> None:
        self.env, self.args, self.command = env, args, command
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Hub:
        self.process = subprocess.Popen([*self.command, *self.args], env=self.env, cwd=ROOT)
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)


def hub_environment(
    database_url: str, broker: PrivateMosquitto, prefix: str, tmp: Path
) -> dict[str, str]:
    return {
        **os.environ,
        "HUB_DATABASE_URL": database_url,
        "HUB_MQTT_URL": broker.url,
        "HUB_TOPIC_PREFIX": prefix,
        "HUB_VAR_DIR": str(tmp / "hub-var"),
        "HUB_SECRET_KEY": secrets.token_hex(16),
        "HUB_METRICS_TOKEN": "durability-test-scrape-token",
    }


@contextmanager
def hubs(
    database_url: str, broker: PrivateMosquitto, prefix: str, tmp: Path, *each: Sequence[str]
) -> Iterator[list[Hub]]:
    """One hub process per argument list in `each` (one hub without arguments if none), each
    with its own API port."""
    env = hub_environment(database_url, broker, prefix, tmp)
    started = [
        Hub({**env, "HUB_API_PORT": str(free_port())}, *args).start() for args in each or [()]
    ]
    try:
        yield started
    finally:
        for hub in started:
            hub.stop()


def meter_readings(database_url: str) -> list[tuple[str, str, str, int]]:
    """(site, meter, metric, ts in ms) of every stored meter reading, duplicates kept."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            query = sa.text(
                "SELECT s.code, d.code, r.metric, r.ts FROM readings r"
                " JOIN devices d ON d.id = r.device_id JOIN sites s ON s.id = d.site_id"
                " WHERE d.code LIKE 'em-%'"
            )
            return [(site, code, metric, _ms(ts)) for site, code, metric, ts in conn.execute(query)]
    finally:
        engine.dispose()


def _ms(ts: object) -> int:
    moment = ts if isinstance(ts, datetime) else datetime.fromisoformat(str(ts))
    return round(moment.replace(tzinfo=moment.tzinfo or UTC).timestamp() * 1000)


def warm_ups(database_url: str, site: str) -> int:
    """Readings of the site's pump (only `hub_started` publishes for it), one per message."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            query = sa.text(
                "SELECT count(*) FROM readings r JOIN devices d ON d.id = r.device_id"
                " JOIN sites s ON s.id = d.site_id WHERE s.code = :site AND d.code = 'pump-1'"
            )
            return int(conn.execute(query, {"site": site}).scalar_one())
    finally:
        engine.dispose()


def wait_until(check: Callable[[], bool], what: str, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        time.sleep(0.05)


class Stream:
    """Publishes `count` meter messages at QoS 1 from a thread, riding out broker restarts.

    Message i comes from meter i % 3; with two sites, messages i % 5 < 3 from the first and
    the others from the second: every (site, meter) device sends, and the sites' shares differ
    (3:2), so a worker's message count tells which site it heard."""

    def __init__(
        self, url: str, prefix: str, count: int, rate: float, sites: Sequence[str] = (SITE,)
    ) -> None:
        self.client = paho_client(url, f"meters-{secrets.token_hex(3)}", clean=False)
        self.client.reconnect_delay_set(1, 2)
        self.prefix, self.count, self.rate, self.sites = prefix, count, rate, tuple(sites)
        assert 1 <= len(self.sites) <= 2, "message() splits the stream between two sites at most"
        self.readings = count * len(METRICS)
        self.thread = threading.Thread(target=self._publish, daemon=True)

    def message(self, i: int) -> tuple[str, str]:
        """(site, meter) of message i."""
        site = self.sites[0] if len(self.sites) == 1 or i % 5 < 3 else self.sites[1]
        return site, METERS[i % len(METERS)]

    def messages_of(self, site: str) -> int:
        return sum(1 for i in range(self.count) if self.message(i)[0] == site)

    def _publish(self) -> None:
        self.client.loop_start()
        started = time.monotonic()
        for i in range(self.count):
            site, meter = self.message(i)
            payload = f'{{"ts": {FIRST_MS + i}, "values": {{"energy_kwh": {i}, "power_kw": 1.5}}}}'
            self.client.publish(f"{self.prefix}/{site}/{meter}/telemetry", payload, qos=1)
            time.sleep(max(0.0, (i + 1) / self.rate - (time.monotonic() - started)))

    def __enter__(self) -> Stream:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.thread.join(30)
        self.client.disconnect()
        self.client.loop_stop()


def hub_started(database_url: str, broker: PrivateMosquitto, prefix: str, site: str = SITE) -> None:
    """Wait until the hub serving `site` has subscribed (its persistent session exists from then
    on): warm-up readings of the site's pump, until one is stored."""
    client = paho_client(broker.url)
    client.loop_start()
    try:
        for second in range(200):
            topic = f"{prefix}/{site}/pump-1/telemetry"
            payload = f'{{"ts": {FIRST_MS - 1000 - second}, "values": {{"pressure_bar": 3.2}}}}'
            client.publish(topic, payload, qos=1).wait_for_publish(5)
            if _wait(lambda: warm_ups(database_url, site) > 0, 0.1):
                return
        raise AssertionError(f"the hub never stored a warm-up reading of {site}")
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
        (*stream.message(i), metric, FIRST_MS + i)
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


def _owner(site: str, count: int) -> int:
    """Which worker (1..count) serves `site`."""
    return next(k for k in range(1, count + 1) if Partition.parse(f"{k}/{count}").owns(site))


def two_sites_one_each(database_url: str, context: HubContext) -> dict[int, str]:
    """The sample site and the second one loaded, by the worker of two that serves each. For
    `@pytest.mark.postgresql` tests: there `context` and `site` are on a PostgreSQL schema."""
    load_other_site(context)
    site_of = {_owner(code, 2): code for code in (SITE, OTHER_SITE)}
    # Checked, not assumed: if both codes hashed to one partition the test would prove nothing;
    # then give the second site (tests/support/sites.py) a code of the other partition.
    assert sorted(site_of) == [1, 2], f"{SITE} and {OTHER_SITE} are both in partition {site_of}"
    return site_of


@pytest.mark.postgresql  # partitions need PostgreSQL (advisory locks)
def test_two_partitioned_workers_split_the_stream_by_site(
    database_url: str,
    context: HubContext,
    site: LoadResult,
    broker: PrivateMosquitto,
    topic_prefix: str,
    tmp_path: Path,
) -> None:
    """Workers 1/2 and 2/2 each hear one site's devices: every reading is stored once, and each
    worker's message count is exactly its own site's messages (the stream's and the warm-ups'),
    with no duplicate anywhere. A worker that took any message of the other site, or of a device
    the other worker also got, would count more or see a duplicate."""
    site_of = two_sites_one_each(database_url, context)
    each = [("--partition", f"{k}/2") for k in (1, 2)]
    with hubs(database_url, broker, topic_prefix, tmp_path, *each) as workers:
        for code in site_of.values():
            hub_started(database_url, broker, topic_prefix, code)
        sites = (SITE, OTHER_SITE)
        with Stream(broker.url, topic_prefix, count=600, rate=600, sites=sites) as stream:
            wait_until(lambda: meter_rows(database_url) >= stream.readings, "every reading")
        time.sleep(0.5)  # a redelivery or a stray message after the last insert would show
        expected = {
            k: stream.messages_of(code) + warm_ups(database_url, code)
            for k, code in site_of.items()
        }
        handled = {k: 0 for k in site_of}

        def counted() -> bool:
            handled.update({k: _metric(workers[k - 1], "hub_messages_total") for k in site_of})
            return handled == expected

        _wait(counted, 10)  # a counter is bumped just after its batch commits
        duplicates = [_metric(hub, "hub_duplicates_total") for hub in workers]
    exactly_once(database_url, stream)
    assert all(n > 200 for n in expected.values()), expected  # both took a share
    assert handled == expected, f"messages per worker {handled}, their sites' {expected}"
    assert duplicates == [0, 0]


@pytest.mark.postgresql
def test_a_second_worker_for_a_held_partition_exits_with_one_clear_line(
    database_url: str,
    context: HubContext,
    site: LoadResult,
    broker: PrivateMosquitto,
    topic_prefix: str,
    tmp_path: Path,
) -> None:
    """`hub worker --partition 1/2` twice: the second stops at once, with one `error:` line
    naming the partition and what to do, while the first keeps serving its site."""
    site_of = two_sites_one_each(database_url, context)
    env = hub_environment(database_url, broker, topic_prefix, tmp_path)
    first = Hub(env, "worker", "--partition", "1/2", command=HUB_CLI).start()
    try:
        hub_started(database_url, broker, topic_prefix, site_of[1])  # it holds 1/2 from now on
        second = subprocess.run(
            [*HUB_CLI, "worker", "--partition", "1/2"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1, second.stderr
        assert "Traceback" not in second.stderr
        errors = [line for line in second.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, second.stderr
        assert "partition 1/2 is already served by another hub worker" in errors[0]
        assert errors[0].endswith("stop that worker or start this one for another partition")
        assert first.process is not None and first.process.poll() is None
    finally:
        first.stop()


@pytest.mark.postgresql
def test_hub_worker_serves_its_own_counters_on_metrics_to_the_scraper_only(
    database_url: str,
    context: HubContext,
    site: LoadResult,
    broker: PrivateMosquitto,
    topic_prefix: str,
    tmp_path: Path,
) -> None:
    """`hub worker --metrics-port`: Prometheus scrapes each worker; it counts its own readings,
    refuses a scrape without the token, and serves nothing of the API."""
    site_of = two_sites_one_each(database_url, context)
    port = free_port()
    env = hub_environment(database_url, broker, topic_prefix, tmp_path)
    env["HUB_API_PORT"] = str(port)  # where _metric looks; this process serves no API there
    args = ("worker", "--partition", "2/2", "--metrics-port", str(port))
    worker = Hub(env, *args, command=HUB_CLI).start()
    try:
        hub_started(database_url, broker, topic_prefix, site_of[2])
        assert _wait(lambda: _metric(worker, "hub_readings_total") >= 1, 10)
        url = f"http://127.0.0.1:{port}"
        assert httpx2.get(f"{url}/metrics").status_code == 401
        wrong = {"Authorization": "Bearer durability-test-scrape-tokem"}
        assert httpx2.get(f"{url}/metrics", headers=wrong).status_code == 401
        assert httpx2.get(f"{url}/api/v1/alerts").status_code == 404
    finally:
        worker.stop()


def _metric(hub: Hub, name: str) -> int:
    """A counter from the hub's /metrics (each process exports its own)."""
    url = f"http://127.0.0.1:{hub.env['HUB_API_PORT']}/metrics"
    headers = {"Authorization": "Bearer durability-test-scrape-token"}
    for _ in range(100):
        try:
            text = httpx2.get(url, headers=headers, timeout=2).text
            break
        except httpx2.HTTPError:
            time.sleep(0.1)
    line = next(line for line in text.splitlines() if line.startswith(f"{name} "))
    return int(float(line.split()[1]))
