"""Electricity meters behind one Modbus TCP server: each unit holds a cumulative kWh register.

Run alone: `python -m simulators.modbus_meter --port 5020` (the meters of simulators/fleet.yaml);
the fleet runs it next to the MQTT devices.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from adapters.modbus.server import ModbusServer
from edge.supervise import sleep_unless, until_signalled
from hub.clock import Clock, SystemClock
from hub.errors import HubError
from simulators.fleet_file import SAMPLE_FLEET, MeterSpec, parse_fleet
from simulators.household import Consumption

LOG = logging.getLogger(__name__)


class MeterSimulator:
    """Serve `meters` on `host:port` (0 = a free port, see `.port` once started)."""

    def __init__(
        self,
        meters: Sequence[MeterSpec],
        *,
        host: str = "127.0.0.1",
        port: int = 5020,
        speedup: float = 1.0,
        tick_s: float = 1.0,
        seed: int | None = None,
        clock: Clock | None = None,
        timezone: str = "Asia/Shanghai",
    ) -> None:
        self.meters = list(meters)
        self.server = ModbusServer([m.unit for m in self.meters], host=host, port=port)
        self._speedup, self._tick_s = speedup, tick_s
        self._clock = clock or SystemClock()
        rng = random.Random(seed)
        self._totals = {
            m.device: Consumption(m.start_kwh, m.mean_kw, places=2, rng=rng, timezone=timezone)
            for m in self.meters
        }

    @property
    def port(self) -> int:
        return self.server.port

    def readings(self) -> dict[str, Decimal]:
        """What each meter shows now (kWh)."""
        return {device: total.value for device, total in self._totals.items()}

    async def start(self) -> None:
        await self.server.start()
        await self._write()
        LOG.info(
            "Modbus meters %s on %s:%s",
            [m.device for m in self.meters],
            self.server.host,
            self.server.port,
        )

    async def advance(self, seconds: float) -> None:
        """Let `seconds` of consumption (simulated time) pass and update the registers."""
        now = self._clock.now()
        for total in self._totals.values():
            total.advance(now, seconds)
        await self._write()

    async def _write(self) -> None:
        for meter in self.meters:
            value = self._totals[meter.device].value
            await self.server.set_value(meter.unit, meter.energy, value)

    async def run(self, halt: asyncio.Event) -> None:
        """Tick until `halt`: each real `tick_s` is `tick_s * speedup` of consumption."""
        while not halt.is_set():
            await sleep_unless(self._tick_s, halt)
            await self.advance(self._tick_s * self._speedup)

    async def stop(self) -> None:
        await self.server.stop()

    async def serve(self, stop: asyncio.Event) -> None:
        """Start, tick until `stop`, stop: the whole life of a stand-alone simulator."""
        await self.start()
        try:
            await self.run(stop)
        finally:
            await self.stop()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m simulators.modbus_meter", description=__doc__)
    parser.add_argument("--fleet", type=Path, default=SAMPLE_FLEET, help="fleet YAML (meters)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5020)
    parser.add_argument("--speedup", type=float, help="override the fleet's speedup")
    parser.add_argument("--duration", type=float, help="stop after this many seconds")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        spec = parse_fleet(args.fleet)
        simulator = MeterSimulator(
            spec.modbus_meters,
            host=args.host,
            port=args.port,
            speedup=args.speedup or spec.speedup,
            seed=spec.seed,
            timezone=spec.timezone,
        )
        asyncio.run(until_signalled(simulator.serve, args.duration))
    except HubError as exc:
        print(f"modbus_meter: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
