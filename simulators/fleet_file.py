"""The fleet file: which simulated devices an estate has, and which faults to inject when.

Format: docs/simulators.md. Validated as a whole before anything starts, so a fault aimed at a
device that does not exist (or cannot have that fault) is refused with the file and field.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from adapters.modbus.register_map import RegisterSpec
from hub.config_files import parse_yaml

SAMPLE_FLEET = Path(__file__).resolve().parent / "fleet.yaml"
CODE = r"^[A-Za-z0-9_.-]+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MeterSpec(_Strict):
    """An electricity meter on the Modbus simulator."""

    device: str = Field(pattern=CODE)
    unit: int = Field(ge=1, le=255)
    energy: RegisterSpec = Field(description="where the meter holds its kWh total")
    start_kwh: Decimal = Field(default=Decimal(1000), ge=0)
    mean_kw: float = Field(default=0.5, gt=0, description="the home's average draw")


class _Device(_Strict):
    device: str = Field(pattern=CODE)
    interval_s: float = Field(default=30, gt=0, description="seconds between messages")


class LeakSensorSpec(_Device):
    kind: Literal["leak_sensor"]
    alarm_repeat_s: float = Field(default=5, gt=0, description="repeat while leaking")


class SmokeSensorSpec(_Device):
    kind: Literal["smoke_sensor"]
    battery_pct: int = Field(default=97, ge=0, le=100)


class PumpSpec(_Device):
    kind: Literal["pump"]
    pressure_bar: float = Field(default=3.2, gt=0)


class WaterMeterSpec(_Device):
    kind: Literal["water_meter"]
    start_m3: Decimal = Field(default=Decimal(100), ge=0)
    mean_m3_per_day: float = Field(default=0.3, gt=0)


class GateSpec(_Device):
    kind: Literal["gate"]
    cards: list[str] = Field(default=["C-0101", "C-0102", "C-0201"], min_length=1)
    denied_share: float = Field(default=0.1, ge=0, le=1, description="unknown cards swiped")


class CheckpointReaderSpec(_Device):
    kind: Literal["checkpoint_reader"]
    checkpoint: str
    guard: str | None = None


DeviceSpec = Annotated[
    LeakSensorSpec | SmokeSensorSpec | PumpSpec | WaterMeterSpec | GateSpec | CheckpointReaderSpec,
    Field(discriminator="kind"),
]


class FaultKind(StrEnum):
    LEAK = "leak"  # a leak sensor reports water_leak true, repeatedly
    SILENT = "silent"  # stays connected, publishes nothing
    DIE = "die"  # drops off without a goodbye: the broker publishes its last will
    MISS_SCAN = "miss_scan"  # a checkpoint reader skips its next scan


class FaultSpec(_Strict):
    at_s: float = Field(ge=0, description="seconds after every MQTT device is connected")
    kind: FaultKind
    device: str
    for_s: float | None = Field(default=None, gt=0, description="then back to normal")

    @model_validator(mode="after")
    def _duration_fits(self) -> FaultSpec:
        if self.kind is FaultKind.MISS_SCAN and self.for_s is not None:
            raise ValueError("for_s does not apply to miss_scan (it skips one scan)")
        return self


_FAULT_NEEDS = {FaultKind.LEAK: "leak_sensor", FaultKind.MISS_SCAN: "checkpoint_reader"}


class FleetSpec(_Strict):
    site: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    timezone: str = "Asia/Shanghai"
    speedup: float = Field(default=1, gt=0, description="meters consume this much faster")
    seed: int | None = None
    modbus_meters: list[MeterSpec] = []
    mqtt_devices: list[DeviceSpec] = []
    faults: list[FaultSpec] = []

    @model_validator(mode="after")
    def _references_resolve(self) -> FleetSpec:
        codes = [m.device for m in self.modbus_meters] + [d.device for d in self.mqtt_devices]
        problems = [f"device {c!r} appears twice" for c in sorted(set(codes)) if codes.count(c) > 1]
        units = [m.unit for m in self.modbus_meters]
        problems += [
            f"modbus unit {u} appears twice" for u in sorted(set(units)) if units.count(u) > 1
        ]
        kinds = {d.device: d.kind for d in self.mqtt_devices}
        for fault in self.faults:
            needed = _FAULT_NEEDS.get(fault.kind)
            if fault.device not in kinds:
                problems.append(
                    f"faults: {fault.kind.value} at {fault.at_s} s names "
                    f"{fault.device!r}, which is no MQTT device of this fleet"
                )
            elif needed and kinds[fault.device] != needed:
                problems.append(
                    f"faults: {fault.kind.value} needs a {needed}, "
                    f"{fault.device} is a {kinds[fault.device]}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self


def parse_fleet(path: Path) -> FleetSpec:
    """The fleet file at `path`, validated (`ConfigError` names the file and the fields)."""
    return parse_yaml(path, FleetSpec)
