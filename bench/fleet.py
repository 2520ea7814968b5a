"""The benchmark fleet: N devices of the sample site's kinds over a property company's estates.

Meters send 3-5 values, sensors 2, gates and pumps 3; every message of a device carries its
own millisecond timestamp, so every reading is a distinct (device, metric, ts) row. Devices
are dealt round-robin over `sites` estates (the unit that hub workers partition).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass

from hub.site_file import SiteFile

SITE_PREFIX = "bench-estate"
QUIET_HEARTBEAT_S = 86_400  # no device goes "offline" during a run

# kind, share of the fleet, metric -> (low, high) of a normal value
KINDS: list[tuple[str, float, dict[str, tuple[float, float]]]] = [
    (
        "electricity_meter",
        0.45,
        {
            "energy_kwh": (100, 90_000),
            "voltage_v": (215, 235),
            "current_a": (0, 40),
            "power_kw": (0, 9),
            "power_factor": (0.8, 1),
        },
    ),
    ("water_meter", 0.2, {"water_m3": (10, 5_000), "flow_m3h": (0, 3), "temperature_c": (8, 25)}),
    ("temperature_sensor", 0.1, {"temperature_c": (15, 30), "humidity_pct": (30, 80)}),
    ("leak_sensor", 0.1, {"water_leak": (0, 0), "battery_pct": (20, 100)}),
    ("smoke_sensor", 0.05, {"smoke": (0, 0), "battery_pct": (20, 100)}),
    ("pump", 0.05, {"pressure_bar": (2.8, 3.6), "current_a": (5, 20), "running": (1, 1)}),
    ("gate", 0.05, {"open": (0, 1), "passes": (0, 5_000), "battery_pct": (50, 100)}),
]
BOOLEAN = {"water_leak", "smoke", "running", "open"}


@dataclass(frozen=True)
class BenchDevice:
    site: str
    code: str
    kind: str
    metrics: dict[str, tuple[float, float]]


def site_codes(count: int) -> list[str]:
    return [f"{SITE_PREFIX}-{n:02d}" for n in range(1, count + 1)]


def fleet(size: int, sites: int = 1) -> list[BenchDevice]:
    """`size` devices in the KINDS proportions (at least one of each kind), dealt over sites."""
    codes = site_codes(sites)
    devices: list[BenchDevice] = []
    for kind, share, metrics in KINDS:
        count = max(1, round(size * share))
        devices += [
            BenchDevice(codes[(len(devices) + i) % sites], f"{kind[:5]}-{i:05d}", kind, metrics)
            for i in range(count)
        ]
    return devices[: max(size, len(KINDS))]


def probes(count: int, sites: int = 1) -> list[BenchDevice]:
    """Leak sensors that only the latency probes use (one new alert each), over the sites."""
    codes = site_codes(sites)
    return [
        BenchDevice(codes[i % sites], f"leak-probe-{i:03d}", "leak_sensor", {})
        for i in range(count)
    ]


def site_specs(devices: list[BenchDevice]) -> list[SiteFile]:
    """One site file per estate that `devices` name."""
    return [
        site_spec(code, [d for d in devices if d.site == code])
        for code in sorted({d.site for d in devices})
    ]


def site_spec(code: str, devices: list[BenchDevice]) -> SiteFile:
    rows = [(d.code, d.kind) for d in devices]
    return SiteFile.model_validate(
        {
            "site": {"code": code, "name": f"压测小区 Bench estate {code[-2:]}"},
            "devices": [
                {
                    "code": code,
                    "kind": kind,
                    "name": f"{kind} {code}",
                    "location": "bench",
                    "heartbeat_s": QUIET_HEARTBEAT_S,
                }
                for code, kind in rows
            ],
        }
    )


def points_per_message(devices: list[BenchDevice], messages: int) -> int:
    """How many readings `messages` round-robin messages carry in total."""
    return sum(len(devices[i % len(devices)].metrics) for i in range(messages))


def messages(
    prefix: str, devices: list[BenchDevice], count: int, first_ms: int, seed: int = 1
) -> Iterator[tuple[str, bytes]]:
    """`count` messages round-robin over `devices`; the n-th round is stamped first_ms + n."""
    rng = random.Random(seed)
    for i in range(count):
        device = devices[i % len(devices)]
        values = {
            metric: bool(rng.randint(int(low), int(high)))
            if metric in BOOLEAN
            else round(rng.uniform(low, high), 3)
            for metric, (low, high) in device.metrics.items()
        }
        body = {"ts": first_ms + i // len(devices), "values": values}
        yield f"{prefix}/{device.site}/{device.code}/telemetry", json.dumps(body).encode()
