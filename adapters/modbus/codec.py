"""Registers <-> Decimal values, by a `RegisterSpec` (type, scale, word order).

Shared by the client (decode what a meter answers) and the server (encode what a simulated meter
holds). A float32 decodes to the shortest decimal that is the same float32, so 1234.56 stored in
a meter reads back as 1234.56, not 1234.56005859375.
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

from pymodbus.client import AsyncModbusTcpClient

from adapters.modbus.register_map import RegisterSpec, RegisterType

_DATATYPE = AsyncModbusTcpClient.DATATYPE
_PYMODBUS_TYPE = {
    RegisterType.FLOAT32: _DATATYPE.FLOAT32,
    RegisterType.INT32: _DATATYPE.INT32,
    RegisterType.UINT32: _DATATYPE.UINT32,
    RegisterType.INT16: _DATATYPE.INT16,
    RegisterType.UINT16: _DATATYPE.UINT16,
}
_INT_RANGE = {
    RegisterType.INT32: (-(2**31), 2**31 - 1),
    RegisterType.UINT32: (0, 2**32 - 1),
    RegisterType.INT16: (-(2**15), 2**15 - 1),
    RegisterType.UINT16: (0, 2**16 - 1),
}


def _as_float32(value: float) -> float:
    return float(struct.unpack(">f", struct.pack(">f", value))[0])


def _shortest_float32(value: float) -> Decimal:
    """The shortest decimal that rounds to the same float32 (9 significant digits always do)."""
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        with contextlib.suppress(OverflowError):  # rounding near the float32 limit
            if _as_float32(float(text)) == value:
                return Decimal(text)
    return Decimal(repr(value))  # pragma: no cover - 9 digits identify every float32


def decode(spec: RegisterSpec, registers: Sequence[int]) -> Decimal:
    """The reading held in `registers` (exactly `spec.type.width` of them), scaled."""
    if len(registers) != spec.type.width:
        raise ValueError(f"{spec.key}: expected {spec.type.width} registers, got {len(registers)}")
    raw = AsyncModbusTcpClient.convert_from_registers(
        list(registers), _PYMODBUS_TYPE[spec.type], word_order=spec.word_order
    )
    if spec.type is RegisterType.FLOAT32:
        assert isinstance(raw, float)
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValueError(f"{spec.key}: the meter holds {raw}, not a number")
        number = _shortest_float32(raw)
    else:
        assert isinstance(raw, int)
        number = Decimal(raw)
    return number * spec.scale


def encode(spec: RegisterSpec, value: Decimal) -> list[int]:
    """The registers that make a meter answer `value` for `spec`."""
    raw = value / spec.scale
    if spec.type is RegisterType.FLOAT32:
        try:
            data: float | int = _as_float32(float(raw))
        except OverflowError:
            raise ValueError(f"{spec.key}: {value} does not fit a float32") from None
    else:
        low, high = _INT_RANGE[spec.type]
        data = int(raw.to_integral_value(ROUND_HALF_EVEN))
        if not low <= data <= high:
            raise ValueError(
                f"{spec.key}: {value} / scale {spec.scale} does not fit {spec.type.value}"
            )
    return AsyncModbusTcpClient.convert_to_registers(
        data, _PYMODBUS_TYPE[spec.type], word_order=spec.word_order
    )
