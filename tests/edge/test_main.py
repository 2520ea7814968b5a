"""`python -m edge`: bad files and unreachable meters end with a message and an exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.mqtt.broker import free_port
from edge.__main__ import main

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_bad_file_is_refused_before_anything_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(FIXTURES / "overlap.yaml")]) == 2
    err = capsys.readouterr().err
    assert "overlap.yaml: devices.em-b1-101: registers energy_kwh and power_kw overlap" in err


def test_once_reports_each_meter_that_does_not_answer(
    mqtt_url: str, topic_prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    code = main(
        ["--mqtt-url", mqtt_url, "--prefix", topic_prefix, "--modbus-port", str(port), "--once"]
    )
    out = capsys.readouterr().out
    assert code == 1
    for device in ("em-b1-101", "em-b1-102", "em-b2-201"):
        assert (
            f"{device}: FAILED: Modbus device {device}: nothing answers at 127.0.0.1:{port}" in out
        )
