"""The sample fleet matches the sample site and the edge sample; bad fleet files are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge.config import SAMPLE_EDGE, parse_edge_config
from hub.errors import ConfigError
from hub.site_file import SAMPLE_SITE, parse_site_file
from simulators.fleet_file import SAMPLE_FLEET, parse_fleet


def test_sample_fleet_simulates_devices_of_the_sample_site() -> None:
    fleet = parse_fleet(SAMPLE_FLEET)
    site = parse_site_file(SAMPLE_SITE)
    kinds = {d.code: d.kind.value for d in site.devices}
    assert fleet.site == site.site.code
    assert {d.device: d.kind for d in fleet.mqtt_devices}.items() <= kinds.items()
    assert {m.device for m in fleet.modbus_meters} == {
        code for code, kind in kinds.items() if kind == "electricity_meter"
    }
    checkpoints = {c.code: c.reader for c in site.checkpoints}
    for reader in (d for d in fleet.mqtt_devices if d.kind == "checkpoint_reader"):
        assert checkpoints[reader.checkpoint] == reader.device


def test_edge_sample_reads_the_registers_the_simulator_writes() -> None:
    fleet = {m.device: m for m in parse_fleet(SAMPLE_FLEET).modbus_meters}
    for device in parse_edge_config(SAMPLE_EDGE).devices:
        assert device.unit == fleet[device.device].unit
        assert device.registers == [fleet[device.device].energy]


DEVICES = (
    "mqtt_devices:\n"
    "  - {device: pump-1, kind: pump}\n"
    "  - {device: cpr-north, kind: checkpoint_reader, checkpoint: CP-NORTH-GATE}\n"
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            DEVICES + "faults: [{at_s: 5, kind: leak, device: leak-b9}]",
            "leak at 5.0 s names 'leak-b9', which is no MQTT device",
        ),
        (
            DEVICES + "faults: [{at_s: 5, kind: leak, device: pump-1}]",
            "leak needs a leak_sensor, pump-1 is a pump",
        ),
        (
            DEVICES + "faults: [{at_s: 5, kind: miss_scan, device: cpr-north, for_s: 10}]",
            "for_s does not apply to miss_scan",
        ),
        (
            DEVICES + "faults: [{at_s: -1, kind: silent, device: pump-1}]",
            r"faults\.pump-1\.at_s: Input should be greater than or equal to 0",
        ),
        (
            "mqtt_devices: [{device: x, kind: kettle}]",
            r"mqtt_devices\.x: Input tag 'kettle' found using 'kind' does not match",
        ),
        (
            "modbus_meters: [{device: em-1, unit: 1, energy: {key: energy_kwh, address: 0, "
            "type: int16, word_order: little}}]",
            r"modbus_meters\.em-1\.energy: word_order applies only to 32-bit types",
        ),
    ],
)
def test_bad_fleet_files_name_file_and_field(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "fleet.yaml"
    path.write_text(f"site: green-garden\n{body}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"{path}: .*{expected}"):
        parse_fleet(path)
