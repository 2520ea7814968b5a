"""SLA met %: steps judged against their limit, the same way for repair clocks and complaint
limits. A step done in time is met; done late, or undone past its deadline, missed; undone
inside it, pending (not judged yet, so a young period does not look worse than it is)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hub.services.service_analysis.stats import percent


@dataclass(frozen=True)
class SlaMet:
    judged: int
    met: int
    met_pct: float | None
    pending: int


def judge(steps: Iterable[tuple[bool, bool]]) -> SlaMet:
    """`steps`: (done, breached) of each step."""
    judged = met = pending = 0
    for done, breached in steps:
        if done or breached:
            judged += 1
            met += not breached
        else:
            pending += 1
    return SlaMet(judged, met, percent(met, judged), pending)
