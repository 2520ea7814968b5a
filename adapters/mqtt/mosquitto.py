"""A private Mosquitto process on a free port, configured from deploy/mosquitto.conf.

For the zero-loss, TLS and ACL tests and the benchmark: they must run against the production
broker settings (no silent drops, no Nagle delay), must be able to kill -9 and restart the
broker, and must not disturb a shared broker on 1883. The shipped listeners, TLS files and
password/ACL files are replaced by the caller's (or by anonymous loopback access).
"""

from __future__ import annotations

import getpass
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from adapters.mqtt.broker import free_port

DEPLOY_CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto.conf"
_REPLACED = (
    "listener",
    "persistence_location",
    "log_dest",
    "pid_file",
    "cafile",
    "certfile",
    "keyfile",
    "tls_version",
    "require_certificate",
    "allow_anonymous",
    "password_file",
    "acl_file",
    "user",
)


@dataclass(frozen=True)
class ServerTls:
    """The broker's side of TLS: the CA it trusts for client certificates, its own pair."""

    ca_file: Path
    cert_file: Path
    key_file: Path
    require_certificate: bool = False


@dataclass(frozen=True)
class BrokerAuth:
    """Files as `hub devices credentials` writes them."""

    password_file: Path
    acl_file: Path


def mosquitto_binary() -> str | None:
    """Where `mosquitto` is, checking /usr/sbin too (often not on a user's PATH)."""
    return shutil.which("mosquitto") or shutil.which("mosquitto", path="/usr/sbin:/usr/local/sbin")


def _access_lines(tls: ServerTls | None, auth: BrokerAuth | None) -> list[str]:
    lines = []
    if tls is not None:
        lines += [f"cafile {tls.ca_file}", f"certfile {tls.cert_file}", f"keyfile {tls.key_file}"]
        lines += [f"require_certificate {str(tls.require_certificate).lower()}"]
    if auth is None:
        return [*lines, "allow_anonymous true"]
    return [
        *lines,
        "allow_anonymous false",
        f"password_file {auth.password_file}",
        f"acl_file {auth.acl_file}",
    ]


class PrivateMosquitto:
    """`with PrivateMosquitto(tmp) as broker: ... broker.kill(); broker.start()`."""

    def __init__(
        self,
        directory: Path,
        port: int = 0,
        config: Path = DEPLOY_CONFIG,
        *,
        tls: ServerTls | None = None,
        auth: BrokerAuth | None = None,
    ) -> None:
        binary = mosquitto_binary()
        if binary is None:
            raise FileNotFoundError("the mosquitto binary is not installed (apt install mosquitto)")
        self.binary = binary
        self.port = port or free_port()
        self.directory = directory
        self.tls = tls
        self.config_path = directory / "mosquitto.conf"
        kept = [
            line
            for line in config.read_text().splitlines()
            if not line.strip().startswith(_REPLACED)
        ]
        kept += [
            # run as whoever started it: as root, Mosquitto would become `mosquitto` and could
            # not read the test's files
            f"user {getpass.getuser()}",
            f"listener {self.port} 127.0.0.1",
            *_access_lines(tls, auth),
            f"persistence_location {directory}/",
            f"log_dest file {directory}/mosquitto.log",
        ]
        directory.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text("\n".join(kept) + "\n")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> PrivateMosquitto:
        """Start and wait until the port accepts connections."""
        self.process = subprocess.Popen(
            [self.binary, "-c", str(self.config_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.02)
        raise TimeoutError(f"mosquitto did not listen on {self.port} within {timeout} s")

    def kill(self) -> None:
        """kill -9: no goodbye, no final save beyond what autosave already wrote."""
        self._end(signal.SIGKILL)

    def stop(self) -> None:
        """A clean stop (SIGTERM): Mosquitto saves its persistence file first."""
        self._end(signal.SIGTERM)

    def _end(self, how: signal.Signals) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(how)
            self.process.wait(10)
        self.process = None

    def __enter__(self) -> PrivateMosquitto:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
