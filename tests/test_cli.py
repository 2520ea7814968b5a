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
    assert "owner101" in result.output and "/api/v1/docs" in result.output
    credentials = settings.var_dir / "demo-credentials.txt"
    assert "operator\t" in credentials.read_text(encoding="utf-8")

    status = runner.invoke(app, ["status", "--json"])
    counts = json.loads(status.output)
    assert counts["bills"] == 5  # last month's bills, from the meter reader's readings
    assert counts["readings"] > 12  # plus live Modbus and MQTT readings
    assert counts["dead_letters"] == 0


def _error_line(output: str) -> str:
    """The one `error: ...` line of a refused command (there is exactly one, and no traceback)."""
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, output
    return errors[0]


@pytest.mark.parametrize("command", ["worker", "run"])
@pytest.mark.parametrize(
    ("text", "why"),
    [("3/2", "workers are numbered from 1 to 2"), ("two", "give WORKER/COUNT, e.g. 2/4")],
)
def test_a_bad_partition_is_one_clear_line(
    settings: Settings, command: str, text: str, why: str
) -> None:
    result = runner.invoke(app, [command, "--partition", text])
    assert result.exit_code == 1
    line = _error_line(result.output)
    assert repr(text) in line and why in line


def test_hub_worker_is_for_one_partition_of_several(settings: Settings) -> None:
    """1/1 would be a second whole-stream worker beside `hub run`'s, on the same session id."""
    result = runner.invoke(app, ["worker", "--partition", "1/1"])
    assert result.exit_code == 1
    assert "beside `hub run --partition 1/N`" in _error_line(result.output)


@pytest.fixture
def on_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite whatever the suite runs on, a broker URL nothing listens on (never reached), and
    the payment sandbox named, as `hub run` requires."""
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite:///{tmp_path / 'hub.db'}")
    monkeypatch.setenv("HUB_PAYMENT_PROVIDER", "sandbox")
    monkeypatch.setenv("HUB_MQTT_URL", f"mqtt://127.0.0.1:{free_port()}")
    get_settings.cache_clear()


@pytest.mark.usefixtures("on_sqlite")
def test_hub_worker_on_sqlite_refuses_a_second_worker() -> None:
    result = runner.invoke(app, ["worker", "--partition", "1/2"])
    assert result.exit_code == 1
    line = _error_line(result.output)
    assert "partition 1/2: several workers need PostgreSQL" in line


@pytest.mark.usefixtures("on_sqlite")
def test_a_busy_metrics_port_of_hub_worker_is_one_clear_line() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        result = runner.invoke(app, ["worker", "--partition", "2/2", "--metrics-port", str(busy)])
    assert result.exit_code == 1
    line = _error_line(result.output)
    assert f"the worker's /metrics cannot listen on 127.0.0.1:{busy}" in line
    assert "already in use" in line


@pytest.mark.usefixtures("on_sqlite")
def test_hub_run_hands_its_partition_to_its_worker() -> None:
    """The refusal comes from the worker's claim: `--partition` reached it (and the API and
    dispatcher that had started stop with it)."""
    result = runner.invoke(app, ["run", "--partition", "2/2", "--port", str(free_port())])
    assert result.exit_code == 1
    line = _error_line(result.output)
    assert "partition 2/2: several workers need PostgreSQL" in line
    assert "ingesting partition 2/2 of the sites" in result.output
