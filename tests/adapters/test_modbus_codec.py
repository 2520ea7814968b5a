"""Decoding registers by type, scale and word order, checked against pymodbus's own encoder."""

from __future__ import annotations

import struct
from decimal import Decimal
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pymodbus.client import AsyncModbusTcpClient

from adapters.modbus.codec import decode, encode
from adapters.modbus.register_map import RegisterSpec, RegisterType

DATATYPE = AsyncModbusTcpClient.DATATYPE
PYMODBUS = {
    RegisterType.INT16: DATATYPE.INT16,
    RegisterType.UINT16: DATATYPE.UINT16,
    RegisterType.INT32: DATATYPE.INT32,
    RegisterType.UINT32: DATATYPE.UINT32,
    RegisterType.FLOAT32: DATATYPE.FLOAT32,
}
BITS = {
    RegisterType.INT16: (-(2**15), 2**15 - 1),
    RegisterType.UINT16: (0, 2**16 - 1),
    RegisterType.INT32: (-(2**31), 2**31 - 1),
    RegisterType.UINT32: (0, 2**32 - 1),
}
SCALES = st.sampled_from(
    [Decimal(1), Decimal("0.1"), Decimal("0.01"), Decimal("0.001"), Decimal(10)]
)


def spec(
    kind: RegisterType, scale: Decimal = Decimal(1), word_order: Literal["big", "little"] = "big"
) -> RegisterSpec:
    return RegisterSpec(key="energy_kwh", address=0, type=kind, scale=scale, word_order=word_order)


@st.composite
def integer_cases(draw: st.DrawFn) -> tuple[RegisterSpec, int]:
    kind = draw(st.sampled_from(sorted(BITS)))
    orders: list[Literal["big", "little"]] = ["big", "little"] if kind.width == 2 else ["big"]
    order = draw(st.sampled_from(orders))
    low, high = BITS[kind]
    return spec(kind, draw(SCALES), order), draw(st.integers(low, high))


@given(integer_cases())
def test_integers_decode_exactly_with_scale(case: tuple[RegisterSpec, int]) -> None:
    reg, raw = case
    registers = AsyncModbusTcpClient.convert_to_registers(
        raw, PYMODBUS[reg.type], word_order=reg.word_order
    )
    assert decode(reg, registers) == raw * reg.scale
    assert encode(reg, raw * reg.scale) == registers


@given(
    st.floats(width=32, allow_nan=False, allow_infinity=False),
    st.sampled_from(["big", "little"]),
    SCALES,
)
def test_float32_decodes_to_the_same_float32(
    value: float, order: Literal["big", "little"], scale: Decimal
) -> None:
    reg = spec(RegisterType.FLOAT32, scale, order)
    registers = AsyncModbusTcpClient.convert_to_registers(value, DATATYPE.FLOAT32, word_order=order)
    decoded = decode(reg, registers)
    as_float32 = struct.unpack(">f", struct.pack(">f", float(decoded / scale)))[0]
    assert as_float32 == value


@given(
    st.decimals(min_value=0, max_value=999999, places=2, allow_nan=False),
    st.sampled_from(["big", "little"]),
)
def test_meter_readings_with_six_digits_survive_float32_exactly(
    value: Decimal, order: Literal["big", "little"]
) -> None:
    reading = value.quantize(Decimal(1)) if value >= 10000 else value  # six significant digits
    reg = spec(RegisterType.FLOAT32, word_order=order)
    assert decode(reg, encode(reg, reading)) == reading


@pytest.mark.parametrize(
    ("reg", "registers", "expected"),
    [
        (spec(RegisterType.FLOAT32), [0x449A, 0x5000], Decimal("1234.5")),
        (spec(RegisterType.FLOAT32, word_order="little"), [0x5000, 0x449A], Decimal("1234.5")),
        (spec(RegisterType.FLOAT32), [0x449A, 0x51EC], Decimal("1234.56")),
        (spec(RegisterType.UINT32, Decimal("0.01")), [0x0001, 0xE240], Decimal("1234.56")),
        (spec(RegisterType.UINT32, word_order="little"), [0xE240, 0x0001], Decimal(123456)),
        (spec(RegisterType.INT32), [0xFFFF, 0xFFFE], Decimal(-2)),
        (spec(RegisterType.INT16, Decimal("0.1")), [0xFF9C], Decimal("-10.0")),
        (spec(RegisterType.UINT16, Decimal("0.1")), [0xFF9C], Decimal("6543.6")),
    ],
)
def test_known_register_values(reg: RegisterSpec, registers: list[int], expected: Decimal) -> None:
    assert decode(reg, registers) == expected


def test_values_that_do_not_fit_are_refused() -> None:
    with pytest.raises(ValueError, match="does not fit uint16"):
        encode(spec(RegisterType.UINT16), Decimal(70000))
    with pytest.raises(ValueError, match="does not fit uint32"):
        encode(spec(RegisterType.UINT32, Decimal("0.01")), Decimal(-1))
    with pytest.raises(ValueError, match="does not fit a float32"):
        encode(spec(RegisterType.FLOAT32), Decimal("1e39"))


def test_a_meter_holding_nan_is_an_error_not_a_reading() -> None:
    with pytest.raises(ValueError, match="not a number"):
        decode(spec(RegisterType.FLOAT32), [0x7FC0, 0x0000])
