"""Rules engine benchmark: 10,000 devices × 500 rules, with and without the rule index.

`python -m bench.rules_bench [--devices 10000] [--rules 500] [--observations 200000]`

The engine alone (pure, in memory): each observation is one reading of one device. The indexed
engine meets only the rules selected by device kind, metric and scope; the unindexed baseline
(`RuleSet.scan`) looks at every rule for every reading. Both get the same readings in the same
run. Prints a table, replaces the rules section of docs/BENCHMARKS.md, ends with a JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from bench.docs_section import markers, write_section
from bench.ingest_bench import commit, machine
from hub.domain import DeviceKind
from rules.compile import RuleSet, compile_rules, parse_rules
from rules.engine import Engine
from rules.facts import DeviceInfo, Observation, ReadingFact

BEGIN, END = markers("rules-bench")
METRICS = {kind: [f"{kind.value}_m{i}" for i in range(4)] for kind in DeviceKind}
BUILDINGS = [f"B{i}" for i in range(1, 21)]
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def fleet(count: int, rng: random.Random) -> list[DeviceInfo]:
    kinds = list(DeviceKind)
    devices = []
    for number in range(1, count + 1):
        building = rng.choice(BUILDINGS)
        devices.append(
            DeviceInfo(
                id=number,
                site_id=1,
                code=f"dev-{number:05d}",
                kind=kinds[number % len(kinds)],
                location=f"{building}-floor{rng.randint(1, 25)}",
                building=building,
            )
        )
    return devices


def rule_file(count: int, devices: list[DeviceInfo], rng: random.Random) -> RuleSet:
    """A mix like a large estate's: thresholds, durations, rates, windows; a third scoped."""
    alert = {"alert": {"severity": "minor", "title": "{rule} {device}"}}
    rules: list[dict[str, Any]] = []
    for number in range(count):
        kind = rng.choice(list(DeviceKind))
        rule: dict[str, Any] = {
            "id": f"r{number:04d}",
            "device_kind": kind.value,
            "actions": alert,
        }
        metric = rng.choice(METRICS[kind])
        shape = number % 4
        if shape == 0:
            rule |= {"kind": "threshold", "metric": metric, "above": 90, "clear_below": 80}
        elif shape == 1:
            rule |= {"kind": "duration", "metric": metric, "below": 5, "for_s": 300}
        elif shape == 2:
            rule |= {"kind": "rate", "metric": metric, "rises_by": 50, "window_s": 3600}
        else:
            condition = {"metric": metric, "above": 95}
            rule |= {"kind": "repeating", "condition": condition, "count": 3, "window_s": 600}
        scope = number % 3
        if scope == 1:
            rule["buildings"] = rng.sample(BUILDINGS, 2)
        elif scope == 2:
            rule["devices"] = [d.code for d in rng.sample(devices, 20)]
        rules.append(rule)
    return compile_rules(parse_rules({"rules": rules}, source="<bench>"))


def workload(devices: list[DeviceInfo], count: int, rng: random.Random) -> list[Observation]:
    observations = []
    for number in range(count):
        device = rng.choice(devices)
        ts = T0 + timedelta(seconds=number * 0.05)
        value = Decimal(rng.randint(0, 100))
        fact = ReadingFact(number, rng.choice(METRICS[device.kind]), ts, value)
        observations.append(Observation(device, readings=(fact,)))
    return observations


@dataclass(frozen=True)
class Run:
    observations: int
    seconds: float
    actions: int
    rules_met: float  # mean rules meeting each reading

    @property
    def per_s(self) -> int:
        return round(self.observations / self.seconds)

    @property
    def us_each(self) -> float:
        return round(self.seconds / self.observations * 1e6, 1)


def warm_up(rules: RuleSet, devices: list[DeviceInfo]) -> float:
    """Build the index's per-device lookup once (the hub does this as devices first speak)."""
    started = time.perf_counter()
    for device in devices:
        for name in METRICS[device.kind]:
            rules.find(device, ("metric", name))
    return time.perf_counter() - started


def run(rules: RuleSet, observations: list[Observation], *, indexed: bool) -> Run:
    engine = Engine(rules, indexed=indexed)
    find = rules.find if indexed else rules.scan
    met = sum(len(find(o.device, ("metric", o.readings[0].metric))) for o in observations[:2000])
    actions = 0
    started = time.perf_counter()
    for observation in observations:
        actions += len(engine.observe(observation, observation.readings[0].ts))
    seconds = time.perf_counter() - started
    return Run(len(observations), seconds, actions, met / min(len(observations), 2000))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.rules_bench", description=__doc__)
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--rules", type=int, default=500)
    parser.add_argument("--observations", type=int, default=200_000)
    parser.add_argument("--baseline-observations", type=int, default=20_000)
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/BENCHMARKS.md")
    args = parser.parse_args(argv)
    rng = random.Random(7)
    devices = fleet(args.devices, rng)
    rules = rule_file(args.rules, devices, rng)
    observations = workload(devices, args.observations, rng)
    warm = warm_up(rules, devices)
    indexed = run(rules, observations, indexed=True)
    baseline = run(rules, observations[: args.baseline_observations], indexed=False)
    text = report(args, indexed, baseline, warm)
    print(text)
    if not args.no_docs:
        write_section("rules-bench", text)
    result = {
        "devices": args.devices,
        "rules": args.rules,
        "indexed_obs_per_s": indexed.per_s,
        "indexed_us_per_obs": indexed.us_each,
        "scan_obs_per_s": baseline.per_s,
        "scan_us_per_obs": baseline.us_each,
        "speedup": round(baseline.us_each / indexed.us_each, 1),
        "index_warm_up_s": round(warm, 2),
    }
    print(json.dumps(result))
    return result


def report(args: argparse.Namespace, indexed: Run, baseline: Run, warm: float) -> str:
    rows = [
        ("readings evaluated", f"{indexed.observations:,}", f"{baseline.observations:,}"),
        ("rules looked at per reading", f"{indexed.rules_met:.2f} (mean)", f"{args.rules}"),
        ("rules met per reading (mean)", f"{indexed.rules_met:.2f}", f"{baseline.rules_met:.2f}"),
        ("evaluations/s (readings/s)", f"{indexed.per_s:,}", f"{baseline.per_s:,}"),
        ("cost per reading (µs)", f"{indexed.us_each}", f"{baseline.us_each}"),
        ("actions produced", f"{indexed.actions:,}", f"{baseline.actions:,}"),
    ]
    lines = [
        BEGIN,
        "## Rules engine (`python -m bench.rules_bench`)",
        "",
        f"{args.devices:,} devices (9 kinds, 20 buildings) × {args.rules} rules (threshold,"
        " duration, rate, repeating; a third scoped by building, a third by device list), one"
        " reading per observation, the pure engine in one process. Indexed: rules looked up by"
        " device kind, metric and scope; scan: every rule checked for every reading.",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; commit: {commit()}",
        f"- machine: {machine()}",
        f"- command: `python -m bench.rules_bench --devices {args.devices} --rules {args.rules}"
        f" --observations {args.observations}`",
        "",
        "| measure | indexed | scan (no index) |",
        "|---|---|---|",
        *[f"| {name} | {a} | {b} |" for name, a, b in rows],
        "",
        f"The index makes a reading {baseline.us_each / indexed.us_each:.1f}× cheaper here. With"
        " the index a reading costs the steps of the rules it meets (state, judgement, actions);"
        " the scan adds a check of every rule in the file, so its cost grows with the file while"
        " the indexed cost stays with the matching rules. The index's"
        f" per-device lookup is built as each device first speaks: {warm:.1f} s once for all"
        f" {args.devices:,} devices × 4 metrics (not counted above).",
        END,
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
