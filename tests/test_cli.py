"""The `hub` command as an operator uses it: clear errors, the demo, status."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.mqtt.broker import free_port
from hub.cli import app
from hub.settings import Settings, get_settings

runner = CliRunner()


def test_a_bad_site_file_is_one_clear_line_not_a_traceback(
    settings: Settings, tmp_path: Path
) -> None:
    bad = tmp_path / "site.yaml"
    bad.write_text("site: {code: 'has space', name: x}\n", encoding="utf-8")
    result = runner.invoke(app, ["site", "load", str(bad)])
    assert result.exit_code == 1
    assert "error:" in result.output and "site.code" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("option", "what"), [("--port", "web API"), ("--mqtt-port", "MQTT")])
def test_a_busy_port_is_reported_clearly(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, option: str, what: str
) -> None:
    monkeypatch.delenv("HUB_MQTT_URL", raising=False)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        ports = {"--port": str(free_port()), "--mqtt-port": str(free_port()), option: str(busy)}
        result = runner.invoke(app, ["demo", "--seconds", "1", *sum(ports.items(), ())])
    assert result.exit_code == 1
    assert what in result.output and f"127.0.0.1:{busy}" in result.output
    assert "already in use" in result.output and "Traceback" not in result.output


def test_demo_runs_the_estate_and_status_counts_what_happened(
    settings: Settings, mqtt_url: str, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`hub demo --seconds N` then `hub status --json`, over the test broker and database."""
    monkeypatch.setenv("HUB_MQTT_URL", mqtt_url)
    monkeypatch.setenv("HUB_TOPIC_PREFIX", topic_prefix)
    get_settings.cache_clear()
    result = runner.invoke(app, ["demo", "--seconds", "12", "--port", str(free_port())])
    assert result.exit_code == 0, result.output
    assert "owner101" in result.output and "/owner" in result.output
    credentials = settings.var_dir / "demo-credentials.txt"
    assert "operator\t" in credentials.read_text(encoding="utf-8")

    status = runner.invoke(app, ["status", "--json"])
    counts = json.loads(status.output)
    assert counts["bills"] == 3  # last month's bills, from the meter reader's readings
    assert counts["readings"] > 12  # plus live Modbus and MQTT readings
    assert counts["dead_letters"] == 0
