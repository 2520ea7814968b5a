"""Broker URLs (`mqtt://user:pass@host:1883`, `mqtts://host:8883`) and the TLS they ask for.

The one place that turns a URL plus settings into what a client needs: the hub's subscriber
(paho), the publishers (aiomqtt), the edge gateway and the simulators all connect through it,
so a TLS or credential option works the same everywhere. `mqtts` URLs may name their files in
the query (`?ca_file=...&cert_file=...&key_file=...`); those win over the settings passed in.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import aiomqtt

from hub.errors import ConfigError
from hub.redact import redact_url
from hub.settings import get_settings

PLAIN_SCHEMES = ("mqtt", "tcp")
TLS_SCHEMES = ("mqtts", "ssl")
_QUERY_FILES = ("ca_file", "cert_file", "key_file")


@dataclass(frozen=True)
class TlsFiles:
    """PEM files for a TLS connection; no CA file means the system's trusted CAs."""

    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: TlsFiles | None = None  # None: plain TCP

    @property
    def where(self) -> str:
        """The broker as logs show it: scheme, host and port, never the credentials."""
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def parse_mqtt_url(url: str, tls: TlsFiles | None = None) -> BrokerAddress:
    """The broker at `url`; `tls` gives the files an `mqtts` URL does not name itself."""
    parsed = urlparse(url)
    if parsed.scheme not in PLAIN_SCHEMES + TLS_SCHEMES or not parsed.hostname:
        raise ValueError(f"MQTT URL {redact_url(url)!r} is not mqtt://host:port or mqtts://...")
    username = unquote(parsed.username) if parsed.username else None
    password = unquote(parsed.password) if parsed.password is not None else None
    if parsed.scheme in PLAIN_SCHEMES:
        return BrokerAddress(parsed.hostname, parsed.port or 1883, username, password)
    query = parse_qs(parsed.query)
    unknown = sorted(set(query) - set(_QUERY_FILES))
    if unknown:
        raise ValueError(f"MQTT URL {redact_url(url)!r}: unknown option {', '.join(unknown)}")
    files = {name: Path(values[-1]) for name, values in query.items()}
    merged = replace(tls or TlsFiles(), **files)
    return BrokerAddress(parsed.hostname, parsed.port or 8883, username, password, merged)


def hub_tls() -> TlsFiles:
    """The hub's TLS files: HUB_MQTT_CA_FILE, HUB_MQTT_CERT_FILE, HUB_MQTT_KEY_FILE."""
    settings = get_settings()
    return TlsFiles(settings.mqtt_ca_file, settings.mqtt_cert_file, settings.mqtt_key_file)


def ssl_context(tls: TlsFiles) -> ssl.SSLContext:
    """A verifying client context; a missing or unreadable file is a `ConfigError` naming it."""
    if (tls.cert_file is None) != (tls.key_file is None):
        raise ConfigError("MQTT TLS: a client certificate needs its key file, and the other way")
    try:
        context = ssl.create_default_context(cafile=str(tls.ca_file) if tls.ca_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"MQTT TLS: cannot use CA file {tls.ca_file}: {_reason(exc)}") from None
    if tls.cert_file is not None:
        try:
            context.load_cert_chain(tls.cert_file, tls.key_file)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"MQTT TLS: cannot use client certificate {tls.cert_file} with key "
                f"{tls.key_file}: {_reason(exc)}"
            ) from None
    return context


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)


def explain(exc: BaseException) -> str:
    """Why a connection failed, in a line: TLS verification failures say what to check."""
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ssl.SSLError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, ssl.SSLCertVerificationError):
        return (
            f"TLS: the broker's certificate was not accepted ({cause.verify_message}); "
            "check the CA file and that the URL's host is in the certificate"
        )
    if isinstance(cause, ssl.SSLError):
        return f"TLS handshake failed ({cause.reason or cause})"
    return str(exc)


def client_for(address: BrokerAddress, **options: Any) -> aiomqtt.Client:
    """An aiomqtt client for `address` (host, port, credentials, TLS) with the caller's options."""
    return aiomqtt.Client(
        address.host,
        address.port,
        username=address.username,
        password=address.password,
        tls_context=ssl_context(address.tls) if address.tls else None,
        **options,
    )
