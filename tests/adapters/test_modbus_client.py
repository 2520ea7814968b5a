"""The Modbus client wrapper against a real pymodbus server on a free port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from adapters.modbus.client import ModbusConnection
from adapters.modbus.register_map import DeviceMap, RegisterSpec, RegisterType
from adapters.modbus.server import ModbusServer
from hub.errors import ServiceUnavailable

ENERGY = RegisterSpec(key="energy_kwh", address=0, type=RegisterType.FLOAT32)
POWER = RegisterSpec(key="power_w", address=2, type=RegisterType.INT16, scale=Decimal("0.5"))
VOLTAGE = RegisterSpec(
    key="voltage_v", address=4, type=RegisterType.UINT32, scale=Decimal("0.01"), word_order="little"
)


def meter(server: ModbusServer, unit: int, *registers: RegisterSpec) -> DeviceMap:
    return DeviceMap(
        device=f"em-{unit}",
        host=server.host,
        port=server.port,
        unit=unit,
        registers=list(registers or (ENERGY, POWER, VOLTAGE)),
    )


@pytest.fixture
async def server() -> AsyncIterator[ModbusServer]:
    async with ModbusServer([1, 2]) as running:
        yield running


async def test_reads_every_register_of_a_unit(server: ModbusServer) -> None:
    await server.set_value(1, ENERGY, Decimal("1234.56"))
    await server.set_value(1, POWER, Decimal("-150.5"))
    await server.set_value(1, VOLTAGE, Decimal("229.87"))
    await server.set_value(2, ENERGY, Decimal("7.5"))
    connection = ModbusConnection(server.host, server.port)
    try:
        first = await connection.read_device(meter(server, 1))
        second = await connection.read_device(meter(server, 2, ENERGY))
        await server.set_value(1, ENERGY, Decimal("1234.57"))
        again = await connection.read_device(meter(server, 1, ENERGY))
    finally:
        connection.close()
    assert first == {
        "energy_kwh": Decimal("1234.56"),
        "power_w": Decimal("-150.5"),
        "voltage_v": Decimal("229.87"),
    }
    assert second == {"energy_kwh": Decimal("7.5")}
    assert again == {"energy_kwh": Decimal("1234.57")}


async def test_register_outside_the_device_is_a_clear_error(server: ModbusServer) -> None:
    beyond = RegisterSpec(key="energy_kwh", address=200, type=RegisterType.FLOAT32)
    connection = ModbusConnection(server.host, server.port)
    try:
        with pytest.raises(
            ServiceUnavailable,
            match=r"em-1 .* refused register energy_kwh "
            r"\(address 200\): illegal address",
        ):
            await connection.read_device(meter(server, 1, beyond))
        with pytest.raises(ServiceUnavailable, match="unit 9 refused register"):
            await connection.read_device(meter(server, 1).model_copy(update={"unit": 9}))
        assert await connection.read_device(meter(server, 2, ENERGY)) == {"energy_kwh": 0}
    finally:
        connection.close()


async def test_a_server_that_goes_away_and_comes_back() -> None:
    server = ModbusServer([1])
    await server.start()
    device = meter(server, 1, ENERGY)
    connection = ModbusConnection(server.host, server.port, timeout_s=0.5)
    try:
        assert await connection.read_device(device) == {"energy_kwh": 0}
        await server.stop()
        with pytest.raises(ServiceUnavailable, match=f"em-1 .*127.0.0.1:{server.port}"):
            await connection.read_device(device)
        with pytest.raises(ServiceUnavailable, match="nothing answers"):
            await connection.read_device(device)

        server = ModbusServer([1], port=server.port)
        await server.start()
        await server.set_value(1, ENERGY, Decimal(42))
        assert await connection.read_device(device) == {"energy_kwh": 42}
    finally:
        connection.close()
        await server.stop()


async def test_a_busy_port_is_refused_with_a_clear_message(server: ModbusServer) -> None:
    with pytest.raises(ServiceUnavailable, match=f"cannot listen on 127.0.0.1:{server.port}"):
        await ModbusServer([1], port=server.port).start()


def test_units_must_be_real_modbus_ids() -> None:
    with pytest.raises(ValueError, match=r"1\.\.255"):
        ModbusServer([0, 1])
