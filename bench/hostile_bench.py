"""Hostile input under load: does ingest go on while clients throw bombs and oversize bodies?

`python -m bench.hostile_bench [--rate 2000] [--seconds 30] [--attackers 8] [--db postgresql]`

A private Mosquitto carries a steady stream of QoS 1 telemetry (bench/fleet.py) at `--rate`
msg/s for `--seconds`, while `--attackers` threads hit the hub's API for the same time, in turn:

- a decompression bomb: a ~100 KB PNG that claims 32000x32000 pixels, posted by a guard to the
  QR scan endpoint;
- an oversize JSON body streamed with no token (200 MB offered, chunked);
- an oversize JSON body streamed with a valid token.

The hub runs as its own process (bench/hub_process.py: worker + API) so its peak memory is its
own. The run passes when every reading of the stream is stored (nothing lost) and the hub's
peak RSS stays under `--rss-limit-mb` (600). Prints a table, appends it to docs/BENCHMARKS.md
and ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import secrets
import struct
import tempfile
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import psutil

from adapters.mqtt.broker import free_port
from adapters.mqtt.mosquitto import PrivateMosquitto
from bench.docs_section import markers, write_section
from bench.fleet import BenchDevice, fleet, points_per_message, site_specs
from bench.ingest_bench import (
    SECRET,
    bench_database,
    commit,
    hub_environment,
    machine,
    peak_rss_mb,
    publish_share,
    start_hubs,
    stored_count,
    wait_for,
    warm_up,
)
from hub.domain import Role
from hub.services import auth_sessions
from hub.services.site import load_site
from hub.services.users import create_user
from hub.settings import Settings
from hub.storage.db import Database

OFFERED_BYTES = 200 * 2**20
CHUNK = b"[" + b"0," * 32_767 + b"0]"  # 64 KiB of valid-looking JSON, sent again and again


@dataclass(frozen=True)
class Result:
    published: int
    expected_points: int
    stored: int
    attacks: dict[str, Counter[int]]
    hub_peak_rss_mb: float
    rss_limit_mb: float

    @property
    def lost(self) -> int:
        return self.expected_points - self.stored

    @property
    def passed(self) -> bool:
        return self.lost == 0 and self.hub_peak_rss_mb < self.rss_limit_mb

    def as_json(self) -> dict[str, Any]:
        return {
            "published": self.published,
            "stored": self.stored,
            "lost": self.lost,
            "attacks": {kind: dict(statuses) for kind, statuses in self.attacks.items()},
            "hub_peak_rss_mb": round(self.hub_peak_rss_mb, 1),
            "passed": self.passed,
        }


def bomb_png(side: int = 32_000) -> bytes:
    """A valid PNG of `side` x `side` black pixels at 1 bit each: ~124 KB on the wire, a
    gigabyte once a decoder expands it to a byte a pixel."""
    raw = zlib.compressobj(9)
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + a bit a pixel
    data = b"".join(raw.compress(row) for _ in range(side)) + raw.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def _offered() -> Iterator[bytes]:
    """An endless-looking body: `OFFERED_BYTES` in 64 KiB chunks, made as they are sent."""
    for _ in range(OFFERED_BYTES // len(CHUNK)):
        yield CHUNK


def prepare(url: str, devices: list[BenchDevice]) -> str:
    """Load the bench sites and a guard; returns the guard's access token."""
    db = Database(url)
    now = datetime.now(UTC)
    settings = Settings(secret_key=SECRET, access_token_minutes=120)
    with db.session() as session:
        for spec in site_specs(devices):
            load_site(session, spec, now=now)
        guard, _ = create_user(
            session, username="bench-guard", full_name="Bench", role=Role.GUARD, now=now
        )
        guard.must_change_password = False
        token = auth_sessions.start(session, guard, now=now, settings=settings).access_token
    db.dispose()
    return token


def attack(base: str, token: str, until: float, seen: dict[str, Counter[int]]) -> None:
    """Until `until` (monotonic): bombs and oversize bodies in turn; count each answer."""
    bomb = bomb_png()
    auth = {"Authorization": f"Bearer {token}"}
    kinds = ("bomb", "oversize without token", "oversize with token")
    with httpx2.Client(base_url=base, timeout=60) as client:
        n = 0
        while time.monotonic() < until:
            kind = kinds[n % len(kinds)]
            n += 1
            try:
                if kind == "bomb":
                    files = {"photo": ("bomb.png", bomb, "image/png")}
                    answer = client.post("/api/v1/patrol/scans/photo", files=files, headers=auth)
                else:
                    headers = {"Content-Type": "application/json"}
                    if kind == "oversize with token":
                        headers |= auth
                    answer = client.post("/api/v1/notices", content=_offered(), headers=headers)
                status = answer.status_code
            except httpx2.HTTPError:
                status = 0  # the hub closed the connection mid-body: also a refusal
            seen[kind][status] += 1


def run(args: argparse.Namespace) -> Result:
    devices = fleet(args.devices, args.sites)
    prefix = f"bench{secrets.token_hex(3)}"
    count = int(args.rate * args.seconds)
    with tempfile.TemporaryDirectory(prefix="hub-hostile-") as tmp:
        directory = Path(tmp)
        with (
            PrivateMosquitto(directory / "broker") as broker,
            bench_database(args.db, directory) as db_url,
        ):
            token = prepare(db_url, devices)
            api_port = free_port()
            env = hub_environment(db_url, broker.url, prefix, api_port, directory / "var")
            [hub] = start_hubs(env, 1)
            try:
                warm_up(broker.port, prefix, devices, db_url)
                first_ms = int(time.time() * 1000) - 30_000_000
                before = stored_count(db_url, first_ms)
                job = (broker.port, prefix, devices, count, first_ms, 11, args.rate, 0.0)
                stream = multiprocessing.get_context("spawn").Process(
                    target=publish_share, args=(job,)
                )
                seen: dict[str, Counter[int]] = {}
                for kind in ("bomb", "oversize without token", "oversize with token"):
                    seen[kind] = Counter()
                until = time.monotonic() + args.seconds
                base = f"http://127.0.0.1:{api_port}"
                attackers = [
                    threading.Thread(target=attack, args=(base, token, until, seen), daemon=True)
                    for _ in range(args.attackers)
                ]
                stream.start()
                for thread in attackers:
                    thread.start()
                stream.join(args.seconds * 4)
                for thread in attackers:
                    thread.join(120)
                expected = points_per_message(devices, count)
                wait_for(
                    lambda: stored_count(db_url, first_ms) - before >= expected,
                    "the hub to store the stream",
                    120,
                )
            except TimeoutError:
                pass  # report what was stored: the difference is what was lost
            finally:
                stored = stored_count(db_url, first_ms) - before
                rss = peak_rss_mb(hub.pid) if psutil.pid_exists(hub.pid) else float("nan")
                hub.terminate()
                hub.wait(30)
    return Result(count, expected, stored, seen, rss, args.rss_limit_mb)


def table(result: Result, args: argparse.Namespace) -> str:
    rows = [
        (
            f"telemetry at {args.rate:g} msg/s for {args.seconds:g} s (QoS 1)",
            f"{result.published:,} messages",
        ),
        (
            "readings expected / stored / lost",
            f"{result.expected_points:,} / {result.stored:,} / {result.lost}",
        ),
    ]
    for kind, statuses in result.attacks.items():
        answers = ", ".join(f"{n}× {status or 'closed'}" for status, n in sorted(statuses.items()))
        rows.append((f"{kind} ({args.attackers} clients in turn)", answers or "none"))
    rows.append(
        (f"hub peak RSS (MB, limit {args.rss_limit_mb:g})", f"{result.hub_peak_rss_mb:.1f}")
    )
    rows.append(("passed", "yes" if result.passed else "**no**"))
    lines = ["| measure | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile_bench", description=__doc__)
    parser.add_argument("--rate", type=float, default=2000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--attackers", type=int, default=8)
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--sites", type=int, default=8)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--rss-limit-mb", type=float, default=600)
    args = parser.parse_args(argv)
    result = run(args)
    command = "python -m bench.hostile_bench " + " ".join(argv or [])
    begin, end = markers("hostile-bench")
    text = "\n".join(
        [
            begin,
            "## Hostile input under load (`python -m bench.hostile_bench`, part of `make bench`)",
            "",
            "A steady telemetry stream while clients send decompression bombs and oversize bodies"
            " (bench/hostile_bench.py).",
            "",
            f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; commit: {commit()}",
            f"- machine: {machine()}",
            f"- command: `{command.strip()}`",
            "",
            table(result, args),
            end,
        ]
    )
    print(text, flush=True)
    write_section("hostile-bench", text)
    data = result.as_json()
    print(json.dumps(data), flush=True)
    return data


if __name__ == "__main__":
    main()
