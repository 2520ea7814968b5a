"""Ingest benchmark: the hub's end-to-end rate against the raw broker ceiling, in one run.

`python -m bench.ingest_bench [--devices 2000] [--messages 100000] [--db sqlite|postgresql]`

A private Mosquitto (deploy/mosquitto.conf, free port) carries the fleet's QoS 1 telemetry
(bench/fleet.py) from publisher processes. `mosquitto_sub` (the C client) counts the same
stream: the ceiling. The hub runs as its own process (bench/hub_process.py, worker + API) so
its CPU and peak memory are its own. Then, with background traffic at a fixed rate, leak
probes measure publish -> `alert.raised` on the live WebSocket. Prints a table, appends it to
docs/BENCHMARKS.md, and ends with one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import secrets
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import psutil
import sqlalchemy as sa
import websockets
from paho.mqtt.enums import CallbackAPIVersion

from adapters.mqtt.broker import free_port
from adapters.mqtt.mosquitto import PrivateMosquitto
from bench.docs_section import DOCS
from bench.fleet import BenchDevice, fleet, messages, points_per_message, probes, site_specs
from hub.domain import Role
from hub.services import auth_sessions
from hub.services.site import load_site
from hub.services.users import create_user
from hub.settings import Settings
from hub.storage.db import Database, upgrade
from hub.storage.models import Reading

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SECRET = "bench-" + secrets.token_hex(16)
TOKEN_MINUTES = 120  # the operator's live feed must outlast a run


@dataclass
class Result:
    published: int
    expected_points: int
    stored: int
    duplicated: int
    broker_msgs_per_s: float
    hub_msgs_per_s: float
    hub_points_per_s: float
    hub_cpu_pct: float
    hub_peak_rss_mb: float
    alert_p50_ms: float | None  # None: no probe came back within 10 s
    alert_p99_ms: float | None
    probes: int
    first_alert_ms: float | None  # the slowest of each site's first alert after the hub started

    def as_json(self) -> dict[str, Any]:
        return {
            "hub_msgs_per_s": round(self.hub_msgs_per_s),
            "hub_points_per_s": round(self.hub_points_per_s),
            "broker_msgs_per_s": round(self.broker_msgs_per_s),
            "ratio": round(self.hub_msgs_per_s / self.broker_msgs_per_s, 3),
            "alert_p50_ms": _ms(self.alert_p50_ms),
            "alert_p99_ms": _ms(self.alert_p99_ms),
            "first_alert_ms": _ms(self.first_alert_ms),
            "published": self.published,
            "stored": self.stored,
            "lost": self.expected_points - self.stored,
            "duplicated": self.duplicated,
            "hub_peak_rss_mb": round(self.hub_peak_rss_mb, 1),
            "hub_cpu_pct": round(self.hub_cpu_pct),
        }


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# ------------------------------------------------------------------ database and hub


@contextmanager
def bench_database(kind: str, directory: Path) -> Iterator[str]:
    """A fresh, migrated database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if kind == "sqlite":
        url = f"sqlite:///{directory / 'bench.db'}"
        upgrade(Database(url).engine)
        yield url
        return
    base = os.environ.get("HUB_BENCH_DATABASE_URL", PG_URL)
    schema = f"bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    try:
        upgrade(Database(url).engine)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def prepare_site(url: str, devices: list[BenchDevice]) -> str:
    """Load the bench sites and an operator; returns a live-feed token for the operator."""
    db = Database(url)
    now = datetime.now(UTC)
    settings = Settings(secret_key=SECRET, access_token_minutes=TOKEN_MINUTES)
    with db.session() as session:
        for spec in site_specs(devices):
            load_site(session, spec, now=now)
        user, _ = create_user(
            session, username="bench-operator", full_name="Bench", role=Role.OPERATOR, now=now
        )
        user.must_change_password = False
        login = auth_sessions.start(session, user, now=now, settings=settings)
    db.dispose()
    return login.access_token


def hub_environment(
    db_url: str, mqtt_url: str, prefix: str, api_port: int, var: Path
) -> dict[str, str]:
    return {
        **os.environ,
        "HUB_DATABASE_URL": db_url,
        "HUB_MQTT_URL": mqtt_url,
        "HUB_TOPIC_PREFIX": prefix,
        "HUB_API_PORT": str(api_port),
        "HUB_VAR_DIR": str(var),
        "HUB_SECRET_KEY": SECRET,
        "HUB_ACCESS_TOKEN_MINUTES": str(TOKEN_MINUTES),
    }


def start_hubs(env: dict[str, str], workers: int) -> list[subprocess.Popen[bytes]]:
    """One hub (worker + API), or `workers` partitions of the sites (the first serves the API)."""
    hubs = []
    for i in range(workers):
        args = [sys.executable, "-m", "bench.hub_process", "--partition", f"{i + 1}/{workers}"]
        if i:
            args.append("--no-api")
        hubs.append(subprocess.Popen(args, env=env, cwd=ROOT))
    return hubs


def stored_count(url: str, from_ms: int | None = None) -> int:
    """Readings stored; from `from_ms` on only (a phase's own: a late warm-up reading is not)."""
    query = sa.select(sa.func.count()).select_from(Reading)
    if from_ms is not None:
        query = query.where(Reading.ts >= datetime.fromtimestamp(from_ms / 1000, UTC))
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(query) or 0
    finally:
        engine.dispose()


def wait_for(check: Any, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"bench: timed out waiting for {what}")
        time.sleep(0.1)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float(psutil.Process(pid).memory_info().rss) / 2**20


# ------------------------------------------------------------------ publishing


def _client(port: int) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-{secrets.token_hex(4)}")
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    return client


def publish_share(args: tuple[int, str, list[BenchDevice], int, int, int, float, float]) -> int:
    """A publisher process: its devices' messages at QoS 1, as fast as possible or at `rate`,
    from `start_at` (time.time()). Flat out, payloads are made first, so the publisher spends
    its CPU on publishing (paho in this process's one thread: no network thread to hand to)."""
    port, prefix, devices, count, first_ms, seed, rate, start_at = args
    stream = messages(prefix, devices, count, first_ms, seed)
    if not rate:
        stream = iter(list(stream))  # flat out: made before the clock starts
    client = _client(port)
    time.sleep(max(0.0, start_at - time.time()))
    started = time.perf_counter()
    for n, (topic, payload) in enumerate(stream):
        client.publish(topic, payload, qos=1)
        if n % 64 == 0:
            client.loop(timeout=0)  # read the broker's PUBACKs
            if rate:
                ahead = n / rate - (time.perf_counter() - started)
                if ahead > 0:
                    time.sleep(ahead)
    while client.want_write() or client._out_messages:  # everything sent and acknowledged
        client.loop(timeout=0.01)
    client.disconnect()
    return count


def split(devices: list[BenchDevice], parts: int) -> list[list[BenchDevice]]:
    return [devices[i::parts] for i in range(parts)]


# ------------------------------------------------------------------ phases


@dataclass(frozen=True)
class Throughput:
    published: int
    expected_points: int
    stored: int
    broker_s: float
    hub_s: float
    hub_cpu_s: float


def throughput(
    broker: PrivateMosquitto,
    db_url: str,
    prefix: str,
    devices: list[BenchDevice],
    total: int,
    publishers: int,
    hubs: list[psutil.Process],
) -> Throughput:
    """Publish `total` messages flat out; time the C subscriber and the hub on the same stream."""
    shares = split(devices, publishers)
    per = total // publishers
    first_ms = int(time.time() * 1000) - 10_000_000
    before = stored_count(db_url, first_ms)
    counter = subprocess.Popen(
        [
            *("mosquitto_sub", "-p", str(broker.port), "-q", "1", "-F", "x"),
            *("-C", str(per * publishers), "-t", f"{prefix}/+/+/telemetry"),
        ],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)  # mosquitto_sub gives no "subscribed" signal; it connects in milliseconds
    cpu_before = sum(sum(p.cpu_times()[:2]) for p in hubs)
    start_at = time.time() + 3 + len(shares[0]) * 2e-5  # after every publisher made its payloads
    jobs = [
        (broker.port, prefix, share, per, first_ms, i, 0.0, start_at)
        for i, share in enumerate(shares)
    ]
    with multiprocessing.get_context("spawn").Pool(publishers) as pool:
        waiting = pool.map_async(publish_share, jobs)
        time.sleep(max(0.0, start_at - time.time()))
        started = time.perf_counter()
        waiting.get(600)
    counter.wait(600)
    broker_s = time.perf_counter() - started
    expected = sum(points_per_message(share, per) for share in shares)
    progress = [before, time.perf_counter()]

    def settled() -> bool:
        count = stored_count(db_url, first_ms)
        if count != progress[0]:
            progress[:] = [count, time.perf_counter()]
        stalled = time.perf_counter() - progress[1] > 20
        return count - before >= expected or stalled

    wait_for(settled, "the hub to store every reading", 3600)
    cpu_s = sum(sum(p.cpu_times()[:2]) for p in hubs) - cpu_before
    stored = int(progress[0]) - before
    return Throughput(per * publishers, expected, stored, broker_s, progress[1] - started, cpu_s)


async def alert_latency(
    broker: PrivateMosquitto, api_port: int, token: str, prefix: str, probes: list[BenchDevice]
) -> list[float]:
    """Milliseconds from publishing a leak to its `alert.raised` on the live WebSocket."""
    client = _client(broker.port)
    client.loop_start()
    latencies = []
    url = f"ws://127.0.0.1:{api_port}/api/v1/live"
    try:
        async with websockets.connect(url, max_size=None) as ws:
            await ws.send(json.dumps({"type": "auth", "token": token}))  # as the pages do
            snapshot = json.loads(await ws.recv())
            if snapshot.get("kind") != "snapshot":
                raise RuntimeError(f"bench: live feed refused: {snapshot}")
            for probe in probes:
                sent = time.perf_counter()
                topic = f"{prefix}/{probe.site}/{probe.code}/telemetry"
                client.publish(topic, b'{"water_leak": true}', qos=1)
                try:
                    await asyncio.wait_for(_next_alert(ws), 10)
                except TimeoutError:
                    break  # the hub is behind the background traffic: report what was measured
                latencies.append((time.perf_counter() - sent) * 1000)
                await asyncio.sleep(0.05)
    finally:
        client.disconnect()
        client.loop_stop()
    return latencies


async def _next_alert(ws: Any) -> None:
    while json.loads(await ws.recv())["kind"] != "alert.raised":
        pass


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def background(port: int, prefix: str, devices: list[BenchDevice], rate: float) -> Any:
    """A process publishing at `rate` msg/s for up to 10 minutes (terminated when done)."""
    first_ms = int(time.time() * 1000) - 5_000_000
    job = (port, prefix, devices, int(rate * 600), first_ms, 7, rate, 0.0)
    process = multiprocessing.get_context("spawn").Process(
        target=publish_share, args=(job,), daemon=True
    )
    process.start()
    return process


def warm_up(port: int, prefix: str, devices: list[BenchDevice], db_url: str) -> None:
    """Publish a reading a second for one device of every site until the hub has stored all:
    every worker is subscribed by then."""
    first_ms = int(time.time() * 1000) - 20_000_000
    one_each = list({d.site: d for d in devices}.values())
    for second in range(60):
        publish_share((port, prefix, one_each, len(one_each), first_ms + second, 99, 0.0, 0.0))
        try:
            wait_for(lambda: stored_count(db_url) >= _points(one_each), "the hub to start", 1)
            return
        except TimeoutError:
            continue
    raise TimeoutError("bench: the hub did not store a reading of every site within 60 s")


def _points(devices: list[BenchDevice]) -> int:
    return sum(len(d.metrics) for d in devices)


def run(args: argparse.Namespace) -> Result:
    devices = fleet(args.devices, args.sites)
    # one probe per site first: a process's first alarm compiles its SQL (twice the time of
    # the next); those are reported apart, the rest give p50/p99
    latency_probes = probes(args.sites + args.probes, args.sites)
    prefix = f"bench{secrets.token_hex(3)}"
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        directory = Path(tmp)
        with (
            PrivateMosquitto(directory / "broker") as broker,
            bench_database(args.db, directory) as db_url,
        ):
            token = prepare_site(db_url, devices + latency_probes)
            api_port = free_port()
            env = hub_environment(db_url, broker.url, prefix, api_port, directory / "var")
            hubs = start_hubs(env, args.workers)
            try:
                handles = [psutil.Process(h.pid) for h in hubs]
                warm_up(broker.port, prefix, devices, db_url)
                flat = throughput(
                    broker, db_url, prefix, devices, args.messages, args.publishers, handles
                )
                print(f"throughput: {flat}", flush=True)
                noise = background(broker.port, prefix, devices, args.background_rate)
                # the flat-out phase leaves PostgreSQL autovacuuming what it inserted: probe
                # the steady 2,000 msg/s, not that
                time.sleep(args.settle)
                latencies = asyncio.run(
                    alert_latency(broker, api_port, token, prefix, latency_probes)
                )
                noise.terminate()
                rss = max(peak_rss_mb(h.pid) for h in hubs)
            finally:
                for hub in hubs:
                    hub.terminate()
                    hub.wait(30)
    first, latencies = latencies[: args.sites], latencies[args.sites :]
    return Result(
        published=flat.published,
        expected_points=flat.expected_points,
        stored=flat.stored,
        duplicated=0,  # (device, metric, ts) is unique: a second copy cannot be stored
        broker_msgs_per_s=flat.published / flat.broker_s,
        hub_msgs_per_s=flat.published / flat.hub_s,
        hub_points_per_s=flat.stored / flat.hub_s,
        hub_cpu_pct=flat.hub_cpu_s / flat.hub_s * 100,
        hub_peak_rss_mb=rss,
        alert_p50_ms=statistics.median(latencies) if latencies else None,
        alert_p99_ms=percentile(latencies, 0.99) if len(latencies) == args.probes else None,
        probes=len(latencies),
        first_alert_ms=max(first) if len(first) == args.sites else None,
    )


# ------------------------------------------------------------------ report


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = psutil.virtual_memory().total / 2**30
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} CPU ({cpu}), {memory:.0f} GiB RAM, Python {platform.python_version()}"
        f"; load average at the end {load:.1f} (other work on the machine skews CPU figures)"
    )


def commit() -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    # the runs appended to the docs so far do not make the code uncommitted
    status = ["git", "status", "--porcelain", "--", ".", f":!{DOCS.relative_to(ROOT)}"]
    dirty = subprocess.run(status, cwd=ROOT, capture_output=True)
    return found.stdout.strip() + ("+uncommitted" if dirty.stdout.strip() else "")


def table(result: Result, args: argparse.Namespace) -> str:
    data = result.as_json()
    rows = [
        ("messages published (QoS 1)", f"{data['published']:,}"),
        ("raw broker delivery, mosquitto_sub (msg/s)", f"{data['broker_msgs_per_s']:,}"),
        ("hub end to end (msg/s)", f"{data['hub_msgs_per_s']:,}"),
        ("hub end to end (data points/s)", f"{data['hub_points_per_s']:,}"),
        ("hub / broker ratio", f"{data['ratio']}"),
        ("readings stored / lost / duplicated", f"{data['stored']:,} / {data['lost']} / 0"),
        (
            f"publish -> alert p50 / p99 (ms, {result.probes} of {args.probes} probes, "
            f"{args.background_rate:g} msg/s background)",
            f"{data['alert_p50_ms']} / {data['alert_p99_ms']}",
        ),
        ("first alert of each site after start, slowest (ms)", f"{data['first_alert_ms']}"),
        (
            "hub CPU (% of one core) / peak RSS (MB)",
            f"{data['hub_cpu_pct']} / {data['hub_peak_rss_mb']}",
        ),
    ]
    lines = ["| measure | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest_bench", description=__doc__)
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=60_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--sites", type=int, default=8, help="estates the devices are dealt over")
    parser.add_argument("--workers", type=int, default=2, help="hub processes, a partition each")
    parser.add_argument("--publishers", type=int, default=2, help="publisher processes")
    parser.add_argument("--background-rate", type=float, default=2000, help="msg/s")
    parser.add_argument("--probes", type=int, default=100, help="leak alerts timed")
    parser.add_argument(
        "--settle", type=float, default=10, help="s of background traffic before probing"
    )
    parser.add_argument("--label", default="", help="a note for the docs, e.g. 'before'")
    parser.add_argument("--no-docs", action="store_true", help="do not append to the docs")
    args = parser.parse_args(argv)
    result = run(args)
    text = table(result, args)
    print(text)
    command = shlex.join(
        ["python", "-m", "bench.ingest_bench", *(sys.argv[1:] if argv is None else argv)]
    )
    if not args.no_docs:
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        title = f"### Ingest {args.label} ({args.db}, {args.workers} worker(s)) - {when}".replace(
            "  ", " "
        )
        block = (
            f"\n{title}\n\n- command: `{command.strip()}`\n- commit: {commit()}\n"
            f"- machine: {machine()}\n\n{text}\n\n```json\n{json.dumps(result.as_json())}\n```\n"
        )
        with DOCS.open("a", encoding="utf-8") as docs:
            docs.write(block)
    data = result.as_json()
    print(json.dumps(data))
    return data


if __name__ == "__main__":
    main()
