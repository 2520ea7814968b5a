"""The one wrapper around pymodbus's client: one connection per `host:port`, one request at a time.

Every pymodbus failure (refused connection, timeout, exception response) leaves here as
`ServiceUnavailable` naming the device, so callers never see a pymodbus type.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.constants import ExcCodes
from pymodbus.exceptions import ModbusException

from adapters.modbus.codec import decode
from adapters.modbus.register_map import DeviceMap, RegisterSpec
from hub.errors import ServiceUnavailable


def _exception_name(code: int) -> str:
    try:
        return ExcCodes(code).name.lower().replace("_", " ")
    except ValueError:
        return f"exception code {code}"


class ModbusConnection:
    """A Modbus TCP connection shared by every unit behind one gateway or meter address."""

    def __init__(self, host: str, port: int, *, timeout_s: float = 2.0) -> None:
        self.host, self.port = host, port
        self._client = AsyncModbusTcpClient(
            host, port=port, timeout=timeout_s, retries=1, reconnect_delay=0
        )
        self._lock = asyncio.Lock()

    async def read_device(self, device: DeviceMap) -> dict[str, Decimal]:
        """Every register of `device`, decoded and scaled; `ServiceUnavailable` when it fails."""
        async with self._lock:
            try:
                if not self._client.connected and not await self._client.connect():
                    raise ServiceUnavailable(
                        f"Modbus device {device.device}: nothing answers at "
                        f"{self.host}:{self.port} (connection refused or timed out)"
                    )
                return {reg.key: await self._read(device, reg) for reg in device.registers}
            except ModbusException as exc:
                self._client.close()
                raise ServiceUnavailable(
                    f"Modbus device {device.device} at {self.host}:{self.port} unit "
                    f"{device.unit} did not answer: {exc}"
                ) from None

    async def _read(self, device: DeviceMap, reg: RegisterSpec) -> Decimal:
        response = await self._client.read_holding_registers(
            reg.address, count=reg.type.width, device_id=device.unit
        )
        if response.isError():
            raise ServiceUnavailable(
                f"Modbus device {device.device} at {self.host}:{self.port} unit {device.unit} "
                f"refused register {reg.key} (address {reg.address}): "
                f"{_exception_name(getattr(response, 'exception_code', 0))}"
            )
        try:
            return decode(reg, response.registers)
        except ValueError as exc:
            raise ServiceUnavailable(f"Modbus device {device.device}: {exc}") from None

    def close(self) -> None:
        self._client.close()
