"""Register maps: which holding registers of which Modbus unit hold which reading, as data.

A map is validated once, when the file is loaded, so a poller never meets an overlapping register
or a word order that makes no sense for a 16-bit value. Defaults live in the models.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RegisterType(StrEnum):
    FLOAT32 = "float32"
    INT32 = "int32"
    UINT32 = "uint32"
    INT16 = "int16"
    UINT16 = "uint16"

    @property
    def width(self) -> int:
        """How many 16-bit registers one value takes."""
        return 1 if self in (RegisterType.INT16, RegisterType.UINT16) else 2


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RegisterSpec(_Strict):
    """One reading: `value = raw * scale`, published under `key`."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    address: int = Field(ge=0, le=65535, description="protocol address (0-based)")
    type: RegisterType
    scale: Decimal = Field(default=Decimal(1), gt=0)
    word_order: Literal["big", "little"] = "big"

    @model_validator(mode="after")
    def _fits(self) -> RegisterSpec:
        if self.word_order == "little" and self.type.width == 1:
            raise ValueError("word_order applies only to 32-bit types")
        if self.address + self.type.width > 65536:
            raise ValueError(f"a {self.type.value} at {self.address} runs past address 65535")
        return self

    @property
    def addresses(self) -> range:
        return range(self.address, self.address + self.type.width)


class DeviceMap(_Strict):
    """One Modbus unit behind `host:port`, polled every `poll_s` seconds."""

    device: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="device code in the site file")
    host: str = "127.0.0.1"
    port: int = Field(default=502, ge=1, le=65535)
    unit: int = Field(default=1, ge=0, le=255, description="Modbus device id (slave id)")
    poll_s: float = Field(default=60, gt=0)
    registers: list[RegisterSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _registers_distinct(self) -> DeviceMap:
        problems: list[str] = []
        keys = [reg.key for reg in self.registers]
        problems += [
            f"key {key!r} appears twice" for key in sorted(set(keys)) if keys.count(key) > 1
        ]
        owner: dict[int, str] = {}
        for reg in self.registers:
            for address in reg.addresses:
                if address in owner:
                    problems.append(
                        f"registers {owner[address]} and {reg.key} overlap at {address}"
                    )
                    break
                owner[address] = reg.key
        if problems:
            raise ValueError("; ".join(problems))
        return self
