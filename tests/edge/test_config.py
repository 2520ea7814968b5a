"""Edge files: the sample loads; a bad register map is refused naming the file and the field."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from adapters.modbus.register_map import RegisterType
from edge.config import SAMPLE_EDGE, parse_edge_config
from hub.errors import ConfigError
from hub.site_file import SAMPLE_SITE, parse_site_file

FIXTURES = Path(__file__).parent / "fixtures"


def test_sample_polls_the_sample_sites_electricity_meters() -> None:
    config = parse_edge_config(SAMPLE_EDGE)
    site = parse_site_file(SAMPLE_SITE)
    meters = {m.device for m in site.meters if m.utility == "electricity"}
    assert config.site == site.site.code
    assert {d.device for d in config.devices} == meters
    em_b1_102 = next(d for d in config.devices if d.device == "em-b1-102")
    assert em_b1_102.registers[0].type is RegisterType.UINT32
    assert em_b1_102.registers[0].scale == Decimal("0.01")


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("bad_scale.yaml", r"devices\.em-b1-101\.registers\.energy_kwh\.scale: .*greater than 0"),
        (
            "bad_type.yaml",
            r"devices\.em-b1-102\.registers\.energy_kwh\.type: Input should be "
            r"'float32'",
        ),
        ("overlap.yaml", r"devices\.em-b1-101: .*registers energy_kwh and power_kw overlap at 1"),
        ("duplicate_key.yaml", r"devices\.em-b1-101: key 'energy_kwh' appears twice"),
        ("word_order_16bit.yaml", r"registers\.power_w: .*word_order applies only to 32-bit"),
        ("duplicate_device.yaml", r"devices: device codes appear twice: em-b1-101"),
        ("bad_url.yaml", r"mqtt_url: .*is not mqtt://host:port"),
        ("missing_site.yaml", r"site: Field required"),
        ("unknown_field.yaml", r"devices\.em-b1-101\.slave: Extra inputs are not permitted"),
    ],
)
def test_bad_files_are_refused_with_file_and_field(fixture: str, expected: str) -> None:
    path = FIXTURES / fixture
    with pytest.raises(ConfigError, match=expected) as refused:
        parse_edge_config(path)
    assert str(refused.value).startswith(f"{path}: ")


def test_unreadable_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "edge.yaml"
    path.write_text("devices: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=str(path)):
        parse_edge_config(path)


def test_retarget_points_every_device_at_one_server() -> None:
    config = parse_edge_config(SAMPLE_EDGE).retarget(
        mqtt_url="mqtt://127.0.0.1:18830", prefix="demo", modbus_port=15020
    )
    assert (config.mqtt_url, config.prefix) == ("mqtt://127.0.0.1:18830", "demo")
    assert {(d.host, d.port) for d in config.devices} == {("127.0.0.1", 15020)}
