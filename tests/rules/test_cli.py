"""`hub rules check` and `hub rules test --replay`, run in-process with typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.cli.output import console
from tests.rules.helpers import write_rules

runner = CliRunner()
LOW_PRESSURE = {
    "id": "pump-low-2min",
    "kind": "duration",
    "device_kind": "pump",
    "metric": "pressure_bar",
    "below": 1.5,
    "for_s": 120,
}


def _one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(("path", "count"), [("rules/default.yaml", 5), ("rules/examples.yaml", 9)])
def test_check_accepts_the_shipped_rules(path: str, count: int) -> None:
    result = runner.invoke(app, ["rules", "check", path])
    assert result.exit_code == 0, result.output
    assert f"{path}: {count} rules OK" in result.output


def test_check_refuses_a_bad_file_naming_line_rule_and_field(tmp_path: Path) -> None:
    path = write_rules(
        tmp_path / "rules.yaml", LOW_PRESSURE, {**LOW_PRESSURE, "id": "b", "for_s": 0}
    )
    result = runner.invoke(app, ["rules", "check", str(path)])
    assert result.exit_code == 1
    message = _one_line(result.output)
    assert message.startswith(f"error: {path}: line ")
    assert "rule 'b' (#2): for_s: Input should be greater than 0" in message
    assert "Traceback" not in result.output


def test_replay_shows_a_timer_firing_on_time_and_its_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 200)  # one table row per line
    path = write_rules(tmp_path / "rules.yaml", LOW_PRESSURE)
    csv = tmp_path / "readings.csv"
    csv.write_text(
        "ts,device,metric,value\n"
        "2026-03-01T08:00:00,pump-1,pressure_bar,1.2\n"
        "2026-03-01T08:01:30,pump-1,pressure_bar,1.3\n"
        "2026-03-01T08:10:00,pump-1,pressure_bar,3.2\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["rules", "test", str(path), "--replay", str(csv)], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "pump-low-2min" in line]
    assert len(lines) == 2
    assert "2026-03-01 08:02:00" in lines[0] and "alert major" in lines[0]
    assert "for 120 s" in lines[0]
    assert "2026-03-01 08:10:00" in lines[1] and "clear alert" in lines[1]


def test_replay_names_the_bad_csv_line(tmp_path: Path) -> None:
    csv = tmp_path / "readings.csv"
    csv.write_text("2026-03-01T08:00:00,pump-9,pressure_bar,1.2\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "test", "rules/default.yaml", "--replay", str(csv)])
    assert result.exit_code == 1
    assert f"{csv}:1: device 'pump-9' is not in the site file" in _one_line(result.output)
