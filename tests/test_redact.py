"""Broker and database passwords never reach the console or the logs."""

from __future__ import annotations

import pytest

from adapters.mqtt.url import parse_mqtt_url
from hub.redact import redact_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("mqtt://hub:s3cr:et@broker:1883", "mqtt://hub:***@broker:1883"),
        ("postgresql+psycopg://hub:pw@db/estate", "postgresql+psycopg://hub:***@db/estate"),
        ("mqtt://broker:1883", "mqtt://broker:1883"),
        ("mqtt://hub@broker", "mqtt://hub@broker"),
    ],
)
def test_a_urls_password_is_masked(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_a_bad_broker_url_is_reported_without_its_password() -> None:
    with pytest.raises(ValueError) as raised:
        parse_mqtt_url("http://hub:s3cret@broker:1883")
    assert "s3cret" not in str(raised.value)
    assert "hub:***@broker" in str(raised.value)
