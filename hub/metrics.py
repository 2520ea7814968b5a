"""Process-wide counters for `/metrics` (Prometheus text format 0.0.4), fed by the worker.

Hand-written rather than prometheus_client: a handful of counters, gauges and one histogram
is all the hub exports, and each is updated once per batch, not per message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

BATCH_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str  # counter | gauge
    help: str


COUNTERS = {
    "messages": Metric("hub_messages_total", "counter", "MQTT messages handled"),
    "readings": Metric("hub_readings_total", "counter", "Readings stored (new rows)"),
    "duplicates": Metric("hub_duplicates_total", "counter", "Readings or events already stored"),
    "events": Metric("hub_events_total", "counter", "Device events stored"),
    "dead_letters": Metric("hub_dead_letters_total", "counter", "Messages kept as dead letters"),
    "evaluations": Metric("hub_rule_evaluations_total", "counter", "Observations judged by rules"),
    "actions": Metric("hub_rule_actions_total", "counter", "Actions the rules returned"),
    "alerts": Metric("hub_alerts_raised_total", "counter", "New alerts raised by rules"),
    "batches": Metric("hub_batches_total", "counter", "Batches committed"),
}


class Registry:
    """Counters plus gauges read at scrape time; safe to update from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(COUNTERS, 0)
        self._gauges: dict[str, tuple[str, Callable[[], float]]] = {}
        self._buckets = [0] * len(BATCH_BUCKETS)
        self._batch_sum = 0.0
        self._batch_count = 0

    def add(self, counts: Mapping[str, int]) -> None:
        with self._lock:
            for key, value in counts.items():
                if key in self._counts:
                    self._counts[key] += value

    def observe_batch(self, seconds: float) -> None:
        with self._lock:
            self._batch_sum += seconds
            self._batch_count += 1
            for i, bound in enumerate(BATCH_BUCKETS):
                if seconds <= bound:
                    self._buckets[i] += 1

    def gauge(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        """Register (or replace) a gauge read at each scrape, e.g. the worker's queue length."""
        with self._lock:
            self._gauges[name] = (help_text, read)

    def render(self) -> str:
        with self._lock:
            counts = dict(self._counts)
            gauges = dict(self._gauges)
            buckets, total, count = list(self._buckets), self._batch_sum, self._batch_count
        lines: list[str] = []
        for key, metric in COUNTERS.items():
            lines += _header(metric.name, metric.kind, metric.help)
            lines.append(f"{metric.name} {counts[key]}")
        for name, (help_text, read) in sorted(gauges.items()):
            lines += _header(name, "gauge", help_text)
            lines.append(f"{name} {read():g}")
        name = "hub_batch_seconds"
        lines += _header(name, "histogram", "Time to store and evaluate one batch")
        lines += [
            f'{name}_bucket{{le="{bound:g}"}} {n}'
            for bound, n in zip(BATCH_BUCKETS, buckets, strict=True)
        ]
        lines += [f'{name}_bucket{{le="+Inf"}} {count}', f"{name}_sum {total:.6f}"]
        lines.append(f"{name}_count {count}")
        return "\n".join(lines) + "\n"


def _header(name: str, kind: str, help_text: str) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]


registry = Registry()
