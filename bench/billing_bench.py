"""A month's billing run for 100,000 homes, three meters each, then the same run again.

`python -m bench.billing_bench` (part of `make bench`; PostgreSQL unless `--database sqlite`).
A fresh schema holds 10 estates x 100 buildings x 100 homes; each home has an electricity
meter (tiered per household), a cold and a hot water meter (tiers count both), each building a
lift meter shared by floor area (公摊). Each meter reads every 5 days; a few registers wrap past
their maximum, a few go backwards and a few are silent, so the run's problem paths are on the
clock too. Every home has last month's bill, so late readings are filtered for every meter.

The run is a child process (`hub billing run` is the same call), timed from its start to its
commit, with its own peak RSS; then the run again (nothing left to bill). The section
"Billing run" of docs/BENCHMARKS.md is replaced by the latest figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench.docs_section import write_section
from bench.ingest_bench import ROOT, bench_database, commit, machine
from hub.domain import BillStatus, DeviceKind, ShareBasis, Utility
from hub.services.billing import run_billing
from hub.services.site import load_site
from hub.site_file import SiteFile, SiteInfo, TariffSpec, TierSpec
from hub.storage.db import Database
from hub.storage.models import Bill, Building, Device, Home, Meter, Reading, Site

PERIOD = "2026-11"
ZONE = ZoneInfo("Asia/Shanghai")
MONTH_START = datetime(2026, 11, 1, tzinfo=ZONE)
MONTH_END = datetime(2026, 12, 1, tzinfo=ZONE)
NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
READING_DAYS = range(0, 31, 5)  # days after the previous month's last day: 10-31, 11-05 ...
TARGET_S, RERUN_TARGET_S = 60.0, 10.0
METERS: tuple[tuple[str, Utility, DeviceKind, str, str], ...] = (
    ("em", Utility.ELECTRICITY, DeviceKind.ELECTRICITY_METER, "energy_kwh", "kWh"),
    ("wm", Utility.WATER, DeviceKind.WATER_METER, "volume_m3", "m3"),
    ("hw", Utility.WATER, DeviceKind.WATER_METER, "volume_m3", "m3"),
)


@dataclass(frozen=True)
class Shape:
    sites: int
    buildings: int  # per site
    homes: int  # per building

    @property
    def total_homes(self) -> int:
        return self.sites * self.buildings * self.homes

    @property
    def meters(self) -> int:
        return self.total_homes * len(METERS) + self.sites * self.buildings  # a lift each


def _tariffs() -> list[TariffSpec]:
    start = date(2026, 1, 1)
    return [
        TariffSpec(
            utility=Utility.ELECTRICITY,
            version=1,
            effective_from=start,
            unit="kWh",
            tiers=[
                TierSpec(up_to=Decimal(200), unit_price=Decimal("0.5283")),
                TierSpec(up_to=Decimal(400), unit_price=Decimal("0.5783")),
                TierSpec(unit_price=Decimal("0.8283")),
            ],
        ),
        TariffSpec(
            utility=Utility.WATER,
            version=1,
            effective_from=start,
            unit="m3",
            tiers=[
                TierSpec(up_to=Decimal(15), unit_price=Decimal("4.10")),
                TierSpec(unit_price=Decimal("6.15")),
            ],
        ),
        TariffSpec(
            utility=Utility.PROPERTY_FEE,
            version=1,
            effective_from=start,
            unit="m2",
            tiers=[TierSpec(unit_price=Decimal("2.50"))],
        ),
    ]


def _insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Rows in one round of multi-row INSERTs, their ids in the rows' order."""
    result = session.execute(
        sa.insert(table).returning(table.id, sort_by_parameter_order=True), rows
    )
    return [row[0] for row in result]


def seed(url: str, shape: Shape) -> int:
    """The estates, homes, meters, last month's bills and the readings; returns readings."""
    db = Database(url)
    readings = 0
    for s in range(shape.sites):
        with db.session() as session:  # a transaction per estate
            spec = SiteFile(site=SiteInfo(code=f"bench-{s}", name=f"基准 Bench {s}"))
            spec.tariffs.extend(_tariffs())
            load_site(session, spec, now=NOW)
            site_id = session.scalars(sa.select(Site.id).where(Site.code == f"bench-{s}")).one()
            readings += _seed_site(session, site_id, s, shape)
    db.dispose()
    return readings


def _seed_site(session: Session, site_id: int, s: int, shape: Shape) -> int:
    building_ids = _insert(
        session,
        Building,
        [
            {"site_id": site_id, "code": f"B{b:03d}", "name": f"{b}号楼"}
            for b in range(shape.buildings)
        ],
    )
    homes = [
        {
            "building_id": building_id,
            "code": f"{h // 4 + 1:02d}{h % 4 + 1:02d}",
            "area_m2": Decimal(70 + (h * 7 + b) % 80),
        }
        for b, building_id in enumerate(building_ids)
        for h in range(shape.homes)
    ]
    home_ids = _insert(session, Home, homes)
    devices: list[dict[str, Any]] = []
    meters: list[dict[str, Any]] = []
    for n, (home_id, home) in enumerate(zip(home_ids, homes, strict=True)):
        for prefix, utility, kind, key, unit in METERS:
            devices.append(
                {
                    "site_id": site_id,
                    "code": f"{prefix}-{n}",
                    "kind": kind,
                    "name": prefix,
                    "building_id": home["building_id"],
                    "home_id": home_id,
                }
            )
            meters.append(
                {
                    "home_id": home_id,
                    "utility": utility,
                    "reading_key": key,
                    "unit": unit,
                    "register_max": Decimal("99999.9"),
                }
            )
    for b, building_id in enumerate(building_ids):
        devices.append(
            {
                "site_id": site_id,
                "code": f"lift-{b}",
                "kind": DeviceKind.ELECTRICITY_METER,
                "name": "电梯 lift",
                "building_id": building_id,
            }
        )
        meters.append(
            {
                "home_id": None,
                "share_basis": ShareBasis.AREA,
                "utility": Utility.ELECTRICITY,
                "reading_key": "energy_kwh",
                "unit": "kWh",
                "register_max": Decimal("99999.9"),
            }
        )
    device_ids = _insert(session, Device, devices)
    for meter, device_id in zip(meters, device_ids, strict=True):
        meter["device_id"] = device_id
    _insert(session, Meter, meters)
    issued = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    session.execute(
        sa.insert(Bill),
        [
            {
                "home_id": home_id,
                "period": "2026-10",
                "total": Decimal("300.00"),
                "status": BillStatus.PAID,
                "issued_at": issued,
            }
            for home_id in home_ids
        ],
    )
    rows = list(_readings(device_ids, [meter["reading_key"] for meter in meters], s))
    session.execute(sa.insert(Reading), rows)
    return len(rows)


def _readings(device_ids: list[int], metrics: list[str], s: int) -> Iterator[dict[str, Any]]:
    """Every 5 days from the previous month's last day; one meter in 200 wraps past 99999.9,
    one in 1,000 goes backwards mid-month, one in 1,000 is silent all month."""
    first = datetime(2026, 10, 31, 23, 0, tzinfo=ZONE)
    for n, (device_id, metric) in enumerate(zip(device_ids, metrics, strict=True)):
        daily = Decimal(1 + (n * 13 + s) % 17) / (2 if metrics[n] == "energy_kwh" else 40)
        start = Decimal(99960) if n % 200 == 7 else Decimal(1000 + n % 5000)
        for step, days in enumerate(READING_DAYS):
            if n % 1000 == 11 and step > 0:
                break
            value = start + daily * days
            if n % 1000 == 3 and step >= 3:
                value = daily * (days - 15)  # a reset register, below where it started
            if value > Decimal("99999.9"):
                value -= Decimal("100000.0")
            ts = (first + timedelta(days=days)).astimezone(UTC)
            yield {
                "device_id": device_id,
                "metric": metric,
                "ts": ts,
                "value": value,
                "source": "bench",
                "received_at": ts + timedelta(minutes=1),
            }


def run_once(url: str) -> dict[str, Any]:
    """One billing run in this process: its seconds, what it wrote, this process's peak RSS."""
    db = Database(url)
    began = time.perf_counter()
    with db.session() as session:
        result = run_billing(session, period=PERIOD, now=NOW)
    seconds = time.perf_counter() - began
    db.dispose()
    return {
        "seconds": round(seconds, 2),
        "billed": len(result.billed),
        "skipped": result.skipped,
        "problems": len(result.problems),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _child(url: str) -> dict[str, Any]:
    found = subprocess.run(
        [sys.executable, "-m", "bench.billing_bench", "--run-once", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    answer: dict[str, Any] = json.loads(found.stdout.strip().splitlines()[-1])
    return answer


def _written(url: str) -> tuple[int, int, Decimal]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        bills = conn.execute(sa.text("SELECT count(*) FROM bills WHERE period = :p"), {"p": PERIOD})
        lines = conn.execute(
            sa.text(
                "SELECT count(*), coalesce(sum(l.amount), 0) FROM bill_lines l "
                "JOIN bills b ON b.id = l.bill_id WHERE b.period = :p"
            ),
            {"p": PERIOD},
        ).one()
        counted = (int(bills.scalar_one()), int(lines[0]), Decimal(lines[1]))
    engine.dispose()
    return counted


def section(
    shape: Shape,
    database: str,
    readings: int,
    first: dict[str, Any],
    again: dict[str, Any],
    written: tuple[int, int, Decimal],
) -> str:
    bills, lines, amount = written
    verdict = (
        "meets" if first["seconds"] < TARGET_S and again["seconds"] < RERUN_TARGET_S else "misses"
    )
    rows = [
        (
            "homes / meters (incl. common) / readings",
            f"{shape.total_homes:,} / {shape.meters:,} / {readings:,}",
        ),
        ("first run: seconds (target < 60)", f"{first['seconds']}"),
        ("first run: bills / lines written", f"{bills:,} / {lines:,} (¥{amount:,})"),
        ("first run: meters with problems (not billed, listed)", f"{first['problems']:,}"),
        ("first run: peak RSS of the run's process (MB)", f"{first['peak_rss_mb']}"),
        ("re-run: seconds (target < 10)", f"{again['seconds']}"),
        ("re-run: billed / skipped", f"{again['billed']} / {again['skipped']:,}"),
        ("re-run: peak RSS (MB)", f"{again['peak_rss_mb']}"),
    ]
    stamp = datetime.now(UTC)
    body = "\n".join(f"| {what} | {value} |" for what, value in rows)
    begin, end = "<!-- billing:begin -->", "<!-- billing:end -->"
    return (
        f"{begin}\n## Billing run (`python -m bench.billing_bench`, part of `make bench`)\n\n"
        f"{stamp:%Y-%m-%d %H:%M} UTC, commit {commit()}, {database}; {machine()}.\n"
        f"Command: `.venv/bin/python -m bench.billing_bench --database {database}`. "
        f"The run {verdict} its targets.\n\n| what | figure |\n|---|---|\n{body}\n{end}"
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--buildings", type=int, default=100)
    parser.add_argument("--homes", type=int, default=100, help="per building")
    parser.add_argument("--run-once", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--no-docs", action="store_true", help="print, do not write the docs")
    args = parser.parse_args(argv)
    if args.run_once:
        print(json.dumps(run_once(args.run_once)))
        return
    shape = Shape(args.sites, args.buildings, args.homes)
    with (
        tempfile.TemporaryDirectory() as directory,
        bench_database(args.database, Path(directory)) as url,
    ):
        began = time.perf_counter()
        readings = seed(url, shape)
        took = time.perf_counter() - began
        print(f"seeded {shape.total_homes:,} homes, {readings:,} readings in {took:.0f} s")
        first = _child(url)
        print(json.dumps({"first": first}), flush=True)
        again = _child(url)
        print(json.dumps({"again": again}), flush=True)
        written = _written(url)
    text = section(shape, args.database, readings, first, again, written)
    print(text)
    if not args.no_docs:
        write_section("billing", text)


if __name__ == "__main__":
    main(sys.argv[1:])
