"""The control room under load: 2,000 devices, 500 active alarms, 50 live events a second.

`python -m bench.console_bench` (part of `make bench`; needs web/dist and Debian's Chromium).
One hub (worker + API, serving the built web app) on a private Mosquitto and a fresh database;
the fleet's devices send telemetry in the background; 500 leak sensors hold 500 active alarms.
An operator's alarms page is open in headless Chromium at 1920x1080 (the wall screen) while:

- every alarmed sensor repeats its leak, each repeat an `alert.updated` on the live feed;
- probe sensors raise new alarms one at a time. For each probe the page records when its
  `alert.raised` frame arrived on the WebSocket and when its row was first painted (the first
  animation frame after the row's text entered the DOM): frame -> screen is the console's own
  latency, publish -> screen adds the hub's ingest, rules and feed.

Long tasks (> 50 ms on the main thread, the browser's PerformanceObserver) are counted over the
live phase. Separately, every role logs in on a fresh browser and the JavaScript its first load
fetched (login page to its home page) is summed gzip-compressed, per role.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import secrets
import shlex
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from playwright.sync_api import (
    Browser,
    CDPSession,
    Page,
    Response,
    ViewportSize,
    sync_playwright,
)

from adapters.mqtt.broker import free_port
from adapters.mqtt.mosquitto import PrivateMosquitto
from bench.docs_section import write_section
from bench.fleet import BenchDevice, fleet, probes, site_codes
from bench.ingest_bench import (
    ROOT,
    _client,
    background,
    bench_database,
    commit,
    hub_environment,
    machine,
    percentile,
    prepare_site,
    start_hubs,
    wait_for,
    warm_up,
)
from hub.domain import ACTIVE_ALERT_STATES, Role
from hub.services.users import create_user
from hub.storage.db import Database
from hub.storage.models import Alert

CHROMIUM = "/usr/bin/chromium"
HOME_TS = ROOT / "web" / "src" / "router" / "home.ts"
PASSWORD = "Bench-console-9!"
WALL: ViewportSize = {"width": 1920, "height": 1080}
JS_BUDGET_KB = 600
P99_TARGET_MS = 250

# Runs in the page before the app: frame arrival and first paint of each probe's row, long tasks.
INSTRUMENT = """
(() => {
  const b = { frames: 0, frameAt: {}, paintedAt: {}, longTasks: [] };
  window.__bench = b;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longTasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', (event) => {
        const message = JSON.parse(event.data);
        if (typeof message.kind !== 'string' || !message.kind.startsWith('alert.')) return;
        b.frames += 1;
        const name = message.data && message.data.device_name;
        if (message.kind !== 'alert.raised' || !name || name in b.frameAt) return;
        b.frameAt[name] = Date.now();
      });
    }
  };
  const probe = /leak-probe-\\d+/g;
  const seen = new MutationObserver((records) => {
    const found = [];
    for (const record of records) {
      const nodes = record.type === 'characterData' ? [record.target] : record.addedNodes;
      for (const node of nodes) {
        const text = node.textContent;
        if (!text || !text.includes('leak-probe-')) continue;
        for (const m of text.matchAll(probe)) if (!(m[0] in b.paintedAt)) found.push(m[0]);
      }
    }
    if (found.length === 0) return;
    requestAnimationFrame(() => {
      const now = Date.now();
      for (const name of found) if (!(name in b.paintedAt)) b.paintedAt[name] = now;
    });
  });
  document.addEventListener('DOMContentLoaded', () =>
    seen.observe(document.body, { childList: true, subtree: true, characterData: true }));
})();
"""


@dataclass
class ConsoleResult:
    devices: int
    active_alarms: int  # in the database as the live phase began (probes add to it)
    events_per_s: float
    probes: int
    painted: int
    frame_to_screen_ms: list[float] = field(default_factory=list)
    publish_to_screen_ms: list[float] = field(default_factory=list)
    long_tasks: list[float] = field(default_factory=list)
    live_seconds: float = 0.0
    js_gzip_kb: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        def stats(values: list[float]) -> dict[str, float | None]:
            if not values:
                return {"p50": None, "p99": None, "max": None}
            return {
                "p50": round(statistics.median(values), 1),
                "p99": round(percentile(values, 0.99), 1),
                "max": round(max(values), 1),
            }

        return {
            "devices": self.devices,
            "active_alarms": self.active_alarms,
            "events_per_s": round(self.events_per_s, 1),
            "probes": self.probes,
            "painted": self.painted,
            "frame_to_screen_ms": stats(self.frame_to_screen_ms),
            "publish_to_screen_ms": stats(self.publish_to_screen_ms),
            "long_tasks": len(self.long_tasks),
            "long_task_max_ms": round(max(self.long_tasks), 1) if self.long_tasks else 0,
            "long_task_total_ms": round(sum(self.long_tasks), 1),
            "live_seconds": round(self.live_seconds, 1),
            "js_gzip_kb": self.js_gzip_kb,
        }


def alarmed_sensors(count: int, sites: int) -> list[BenchDevice]:
    """Leak sensors that hold the active alarms (each repeat is an `alert.updated`)."""
    codes = site_codes(sites)
    return [
        BenchDevice(codes[i % sites], f"leak-alarm-{i:03d}", "leak_sensor", {})
        for i in range(count)
    ]


def home_paths() -> dict[str, str]:
    """Each role's first page, as the web app's router has it (web/src/router/home.ts)."""
    return dict(re.findall(r"(\w+): '(/[^']*)'", HOME_TS.read_text(encoding="utf-8")))


def add_role_users(db_url: str) -> None:
    """One user of every role with PASSWORD, done with their first-login password change."""
    db = Database(db_url)
    now = datetime.now(UTC)
    with db.session() as session:
        for role in Role:
            user, _ = create_user(
                session,
                username=f"console-{role.value}",
                full_name=f"Bench {role.value}",
                role=role,
                now=now,
                password=PASSWORD,
            )
            user.must_change_password = False
    db.dispose()


def active_alarms(db_url: str) -> int:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            query = sa.select(sa.func.count()).where(Alert.state.in_(ACTIVE_ALERT_STATES))
            return conn.scalar(query) or 0
    finally:
        engine.dispose()


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    form = page.locator("[data-test=login-form]")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url, timeout=20_000)


def first_load_js(browser: Browser, base: str, role: Role, home: str) -> float:
    """KB of gzip-compressed JavaScript a fresh browser fetches from login to the role's home."""
    context = browser.new_context(viewport=WALL)
    page = context.new_page()
    scripts: dict[str, Response] = {}

    def keep(response: Response) -> None:
        if response.url.endswith(".js"):
            scripts.setdefault(response.url, response)

    page.on("response", keep)
    log_in(page, base, f"console-{role.value}")
    page.wait_for_url(f"**{home}*", timeout=20_000)
    page.wait_for_load_state("networkidle")
    size = sum(len(gzip.compress(r.body(), 9)) for r in list(scripts.values()))
    context.close()
    return round(size / 1024, 1)


class Events:
    """Repeats of the alarmed sensors' leaks at `rate` a second, in a thread, until stopped."""

    def __init__(self, port: int, prefix: str, sensors: list[BenchDevice], rate: float) -> None:
        self._client = _client(port)
        self._prefix, self._sensors, self._rate = prefix, sensors, rate
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.sent = 0

    def __enter__(self) -> Events:
        self._client.loop_start()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._client.disconnect()
        self._client.loop_stop()

    def _run(self) -> None:
        start, n = time.monotonic(), 0
        while not self._stop.is_set():
            sensor = self._sensors[n % len(self._sensors)]
            self._client.publish(leak_topic(self._prefix, sensor), b'{"water_leak": true}', qos=1)
            n = self.sent = n + 1
            pause = start + n / self._rate - time.monotonic()
            if pause > 0:
                self._stop.wait(pause)


def leak_topic(prefix: str, device: BenchDevice) -> str:
    return f"{prefix}/{device.site}/{device.code}/telemetry"


def raise_all(port: int, prefix: str, sensors: list[BenchDevice], db_url: str, want: int) -> None:
    client = _client(port)
    client.loop_start()
    try:
        for sensor in sensors:
            client.publish(leak_topic(prefix, sensor), b'{"water_leak": true}', qos=1)
        wait_for(lambda: active_alarms(db_url) >= want, f"{want} active alarms", 120)
    finally:
        client.disconnect()
        client.loop_stop()


def live_phase(
    page: Page, port: int, prefix: str, alarmed: list[BenchDevice], args: argparse.Namespace
) -> ConsoleResult:
    probe_devices = probes(args.probes, args.sites)
    # a leak reading is more than one event (the alarm, its work order's link): the repeats'
    # rate is set from what the page hears of them, so that it receives `args.rate` a second
    page.evaluate("window.__bench.frames = 0")
    with Events(port, prefix, alarmed, 10) as calibration:
        time.sleep(5)
    time.sleep(1)
    per_reading = max(1.0, page.evaluate("window.__bench.frames") / calibration.sent)
    repeat_rate = args.rate / per_reading - 1 / args.probe_interval
    page.evaluate("window.__bench.longTasks = []; window.__bench.frames = 0")
    published: dict[str, int] = {}
    client = _client(port)
    client.loop_start()
    started = time.monotonic()
    try:
        with Events(port, prefix, alarmed, repeat_rate):
            for probe in probe_devices:
                published[f"{probe.code}"] = int(time.time() * 1000)
                client.publish(leak_topic(prefix, probe), b'{"water_leak": true}', qos=1)
                time.sleep(args.probe_interval)
            time.sleep(3)  # the last probes' rows
            live_seconds = time.monotonic() - started
            data = page.evaluate("window.__bench")
    finally:
        client.disconnect()
        client.loop_stop()
    frame_at = {name.split()[-1]: at for name, at in data["frameAt"].items()}
    painted = data["paintedAt"]
    return ConsoleResult(
        devices=args.devices,
        active_alarms=0,
        events_per_s=data["frames"] / live_seconds,
        probes=len(probe_devices),
        painted=len(painted),
        frame_to_screen_ms=[painted[n] - frame_at[n] for n in painted if n in frame_at],
        publish_to_screen_ms=[painted[n] - published[n] for n in painted if n in published],
        long_tasks=[duration for _, duration in data["longTasks"]],
        live_seconds=live_seconds,
    )


def start_profile(page: Page) -> CDPSession:
    profiler = page.context.new_cdp_session(page)
    profiler.send("Profiler.enable")
    profiler.send("Profiler.start")
    return profiler


def print_profile(profile: dict[str, Any], top: int = 25) -> None:
    """The page's main-thread JavaScript by self time (function, chunk:line), to find the cost."""
    interval = {n["id"]: 0.0 for n in profile["nodes"]}
    times = profile["timeDeltas"]
    for node_id, delta in zip(profile["samples"], times, strict=True):
        interval[node_id] += delta / 1000
    by_place: dict[str, float] = {}
    for node in profile["nodes"]:
        frame = node["callFrame"]
        chunk = frame["url"].rsplit("/", 1)[-1] or "(native)"
        place = f"{frame['functionName'] or '(anonymous)'} {chunk}:{frame['lineNumber']}"
        by_place[place] = by_place.get(place, 0.0) + interval[node["id"]]
    for place, ms in sorted(by_place.items(), key=lambda item: -item[1])[:top]:
        print(f"{ms:10.1f} ms  {place}")


def run(args: argparse.Namespace) -> ConsoleResult:
    devices = fleet(args.devices - args.alarms, args.sites)
    alarmed = alarmed_sensors(args.alarms, args.sites)
    prefix = f"bench{secrets.token_hex(3)}"
    with tempfile.TemporaryDirectory(prefix="hub-console-bench-") as tmp:
        directory = Path(tmp)
        with (
            PrivateMosquitto(directory / "broker") as broker,
            bench_database(args.db, directory) as db_url,
        ):
            prepare_site(db_url, devices + alarmed + probes(args.probes, args.sites))
            add_role_users(db_url)
            api_port = free_port()
            base = f"http://127.0.0.1:{api_port}"
            hubs = start_hubs(hub_environment(db_url, broker.url, prefix, api_port, directory), 1)
            try:
                warm_up(broker.port, prefix, devices, db_url)
                raise_all(broker.port, prefix, alarmed, db_url, args.alarms)
                noise = background(broker.port, prefix, devices, args.telemetry_rate)
                with sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path=CHROMIUM)
                    homes = home_paths()
                    sizes = {r.value: first_load_js(browser, base, r, homes[r.value]) for r in Role}
                    page = browser.new_context(viewport=WALL).new_page()
                    page.add_init_script(INSTRUMENT)
                    log_in(page, base, "console-operator")
                    page.wait_for_url("**/console/alarms*")
                    page.locator("[data-test=alarm-title]").first.wait_for(timeout=30_000)
                    time.sleep(2)  # the page's first render of the 500 rows is not the live phase
                    profiler = start_profile(page) if args.profile else None
                    held = active_alarms(db_url)
                    result = live_phase(page, broker.port, prefix, alarmed, args)
                    result.active_alarms = held
                    if profiler is not None:
                        print_profile(profiler.send("Profiler.stop")["profile"])
                    browser.close()
                noise.terminate()
            finally:
                for hub in hubs:
                    hub.terminate()
                    hub.wait(30)
    result.js_gzip_kb = sizes
    return result


def verdict(ok: bool) -> str:
    return "meets the target" if ok else "**misses the target**"


def report(result: ConsoleResult, args: argparse.Namespace, command: str) -> str:
    data = result.as_json()
    frame, publish = data["frame_to_screen_ms"], data["publish_to_screen_ms"]
    sizes = "\n".join(
        f"| {role} | {kb:,} | {verdict(kb < JS_BUDGET_KB)} |"
        for role, kb in data["js_gzip_kb"].items()
    )
    p99 = frame["p99"]
    on_target = p99 is not None and p99 < P99_TARGET_MS and data["painted"] == data["probes"]
    rows = [
        (
            "live events received by the page (alert.*, per s)",
            f"{data['events_per_s']} over {data['live_seconds']} s",
        ),
        ("probes painted", f"{data['painted']} of {data['probes']}"),
        ("frame -> screen p50 / p99 / max (ms)", f"{frame['p50']} / {p99} / {frame['max']}"),
        (
            "publish -> screen p50 / p99 / max (ms)",
            f"{publish['p50']} / {publish['p99']} / {publish['max']}",
        ),
        (
            "long tasks (> 50 ms) while live: count / longest / total (ms)",
            f"{data['long_tasks']} / {data['long_task_max_ms']} / {data['long_task_total_ms']}",
        ),
    ]
    measures = "\n".join(["| measure | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows])
    return f"""<!-- console-bench:begin -->
## Control room under load (`python -m bench.console_bench`, part of `make bench`)

One hub (worker + API serving `web/dist`, {args.db}) on a private Mosquitto; {args.devices:,}
devices, of which {args.alarms} leak sensors hold the alarms ({data["active_alarms"]} active as the
live phase began, counted in the database) and repeat
their leak (each repeat an `alert.updated` on the live feed); the rest send telemetry at
{args.telemetry_rate:g} msg/s. An operator's alarms page is open in headless Chromium at
1920x1080 while {data["probes"]} probe sensors raise new alarms, one every
{args.probe_interval:g} s. For each probe the page notes when its `alert.raised` frame arrived
and when its row was first painted (first animation frame after its text entered the DOM).

- date: {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}; commit: {commit()}
- machine: {machine()} (the hub, Mosquitto, the publishers and Chromium share it)
- command: `{command}`

{measures}

Event to screen (frame -> screen p99 < {P99_TARGET_MS} ms): {verdict(on_target)}.

First load per role: the JavaScript a fresh browser fetched from the login page to the role's
home page, each file gzip-compressed (level 9); budget {JS_BUDGET_KB} KB.

| role | JS, gzip (KB) | |
|---|---|---|
{sizes}

```json
{json.dumps(data)}
```
<!-- console-bench:end -->"""


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.console_bench", description=__doc__)
    parser.add_argument("--devices", type=int, default=2000, help="all devices, alarmed included")
    parser.add_argument("--alarms", type=int, default=500, help="active alarms held")
    parser.add_argument("--rate", type=float, default=50, help="live events/s, probes included")
    parser.add_argument("--probes", type=int, default=200, help="new alarms timed")
    parser.add_argument("--probe-interval", type=float, default=0.25, help="s between probes")
    parser.add_argument("--telemetry-rate", type=float, default=200, help="fleet msg/s")
    parser.add_argument("--sites", type=int, default=8, help="estates the devices are dealt over")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--profile", action="store_true", help="print where the page's time went")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/BENCHMARKS.md")
    args = parser.parse_args(argv)
    command = shlex.join(
        ["python", "-m", "bench.console_bench", *(sys.argv[1:] if argv is None else argv)]
    )
    result = run(args)
    text = report(result, args, command)
    print(text)
    if not args.no_docs:
        write_section("console-bench", text)
    return result.as_json()


if __name__ == "__main__":
    main()
