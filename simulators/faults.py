"""Injected faults: at T+N s a leak, a silent or dead device, a checkpoint scan that never comes.

The schedule is data (the `faults:` list of the fleet file); each fault with `for_s` is undone that
many seconds later. Faults act on the device models and runners of simulators/mqtt_devices.py.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from edge.supervise import sleep_unless
from simulators.fleet_file import FaultKind, FaultSpec
from simulators.mqtt_devices import CheckpointReader, DeviceRunner, LeakSensor

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    at_s: float
    fault: FaultSpec
    undo: bool = False


def timeline(faults: Sequence[FaultSpec]) -> list[Step]:
    """Every fault and every undo, in the order they happen."""
    steps = [Step(f.at_s, f) for f in faults]
    steps += [Step(f.at_s + f.for_s, f, undo=True) for f in faults if f.for_s is not None]
    return sorted(steps, key=lambda step: step.at_s)


async def apply(step: Step, runner: DeviceRunner) -> None:
    """Make the fault (or its undo) happen to `runner`'s device."""
    fault, device = step.fault, runner.device
    LOG.info(
        "%s fault %s on %s", "undoing" if step.undo else "injecting", fault.kind.value, fault.device
    )
    if fault.kind is FaultKind.LEAK:
        assert isinstance(device, LeakSensor)
        device.leaking = not step.undo
        runner.poke()
    elif fault.kind is FaultKind.SILENT:
        device.silent = not step.undo
        runner.poke()
    elif fault.kind is FaultKind.DIE:
        if step.undo:
            runner.revive()
        else:
            await runner.die()
    else:
        assert isinstance(device, CheckpointReader)
        device.skip_scans += 1


async def inject(
    faults: Sequence[FaultSpec],
    runners: Mapping[str, DeviceRunner],
    halt: asyncio.Event,
    *,
    started: float,
) -> None:
    """Apply the schedule, timed from `started` (a `time.monotonic()` reading), until `halt`."""
    for step in timeline(faults):
        delay = started + step.at_s - time.monotonic()
        if delay > 0:
            await sleep_unless(delay, halt)
        if halt.is_set():
            return
        await apply(step, runners[step.fault.device])
