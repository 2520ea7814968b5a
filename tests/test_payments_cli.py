"""`hub run` never lets owners "pay" a sandbox by accident: the provider must be named."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.mqtt.broker import free_port
from hub.cli import app
from hub.settings import get_settings

runner = CliRunner()


@pytest.fixture
def production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `hub run` needs besides the payment provider (the broker is never reached)."""
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite:///{tmp_path / 'hub.db'}")
    monkeypatch.setenv("HUB_MQTT_URL", f"mqtt://127.0.0.1:{free_port()}")
    monkeypatch.delenv("HUB_PAYMENT_PROVIDER", raising=False)
    get_settings.cache_clear()


def _error(output: str) -> str:
    assert "Traceback" not in output
    [line] = [line for line in output.splitlines() if line.startswith("error:")]
    return line


@pytest.mark.usefixtures("production")
def test_hub_run_refuses_the_sandbox_unless_it_is_named() -> None:
    result = runner.invoke(app, ["run", "--port", str(free_port())])
    assert result.exit_code == 1
    line = _error(result.output)
    assert "HUB_PAYMENT_PROVIDER is not set" in line and "no money moves" in line
    assert "set HUB_PAYMENT_PROVIDER=sandbox to run with it anyway" in line
    assert "Estate Hub serving" not in result.output  # nothing started


@pytest.mark.usefixtures("production")
def test_hub_run_refuses_a_provider_it_cannot_take_payments_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUB_PAYMENT_PROVIDER", "wechat")
    get_settings.cache_clear()
    result = runner.invoke(app, ["run", "--port", str(free_port())])
    assert result.exit_code == 1
    assert "cannot start payments with it yet" in _error(result.output)


@pytest.mark.usefixtures("production")
def test_hub_run_starts_with_the_sandbox_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """Named, it gets past the check (and stops later: a second partition needs PostgreSQL)."""
    monkeypatch.setenv("HUB_PAYMENT_PROVIDER", "sandbox")
    get_settings.cache_clear()
    result = runner.invoke(app, ["run", "--partition", "2/2", "--port", str(free_port())])
    assert "owners pay through: sandbox" in result.output
    assert "several workers need PostgreSQL" in _error(result.output)
