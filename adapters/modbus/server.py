"""A Modbus TCP server whose holding registers Python sets while it runs (simulators, tests).

Each unit gets `size` holding registers from address 0. A request for a unit the server does not
host answers "illegal address" (a catch-all unit 0 with no valid register) instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from types import TracebackType

from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from adapters.modbus.codec import decode, encode
from adapters.modbus.register_map import RegisterSpec
from hub.errors import ServiceUnavailable

_WRITE_REGISTERS = 16
_READ_HOLDING = 3


class ModbusServer:
    """Serve `units` on `host:port` (port 0 picks a free one; read it from `.port` after start)."""

    def __init__(
        self, units: Iterable[int], *, host: str = "127.0.0.1", port: int = 0, size: int = 64
    ) -> None:
        self.host, self.port = host, port
        self.units = sorted(set(units))
        if not self.units or any(not 1 <= unit <= 255 for unit in self.units):
            raise ValueError(f"Modbus units must be 1..255, got {self.units}")
        self._size = size
        self._server: ModbusTcpServer | None = None

    def _devices(self) -> list[SimDevice]:
        hosted = [
            SimDevice(
                id=unit,
                simdata=[SimData(0, count=self._size, values=0, datatype=DataType.REGISTERS)],
            )
            for unit in self.units
        ]
        return [SimDevice(id=0, simdata=[SimData(0, datatype=DataType.INVALID)]), *hosted]

    async def start(self) -> None:
        server = ModbusTcpServer(self._devices(), address=(self.host, self.port))
        try:
            await server.serve_forever(background=True)
        except RuntimeError:
            raise ServiceUnavailable(
                f"the Modbus simulator cannot listen on {self.host}:{self.port}: the port is in "
                "use or the address is not on this machine. Choose another port."
            ) from None
        if server.transport is not None and self.port == 0:
            self.port = int(server.transport.sockets[0].getsockname()[1])  # type: ignore[attr-defined]
        self._server = server

    async def stop(self) -> None:
        """Close the listener and every client connection."""
        if self._server is not None:
            await self._server.shutdown()  # type: ignore[no-untyped-call]
            self._server = None

    def _running(self) -> ModbusTcpServer:
        if self._server is None:
            raise RuntimeError("the Modbus server is not started")
        return self._server

    async def set_value(self, unit: int, spec: RegisterSpec, value: Decimal) -> None:
        """Make `unit` answer `value` for `spec` from now on."""
        registers = encode(spec, value)
        await self._running().async_setValues(unit, _WRITE_REGISTERS, spec.address, registers)

    async def get_value(self, unit: int, spec: RegisterSpec) -> Decimal:
        """What `unit` answers for `spec` now, as a client would decode it."""
        registers = await self._running().async_getValues(
            unit, _READ_HOLDING, spec.address, spec.type.width
        )
        return decode(spec, [int(r) for r in registers])

    async def __aenter__(self) -> ModbusServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
