"""The edge gateway's YAML: where to publish, for which site, and which Modbus devices to poll.

Format: docs/edge.md. A bad file is refused before anything runs, with the file and the field
(by device code and register key, not list index) in the message.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from adapters.modbus.register_map import DeviceMap
from adapters.mqtt.url import TlsFiles, parse_mqtt_url, ssl_context
from hub.config_files import parse_yaml
from hub.errors import ConfigError
from hub.settings import get_settings

SAMPLE_EDGE = Path(__file__).resolve().parent / "sample.yaml"


class BufferConfig(BaseModel):
    """The store-and-forward buffer (edge/buffer.py); bounded so an outage cannot fill the disk."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path | None = Field(
        default=None, description="SQLite file; default: edge-buffer-<site>.db in HUB_VAR_DIR"
    )
    max_rows: int = Field(default=1_000_000, gt=0)
    max_bytes: int = Field(default=256 * 1024 * 1024, ge=64 * 1024)

    def resolved_path(self, site: str) -> Path:
        """The file to use: `path`, or one per site under the var dir (each test has its own)."""
        if self.path is not None:
            return self.path
        return get_settings().var_dir / f"edge-buffer-{site}.db"


class EdgeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    mqtt_url: str = Field(
        default="mqtt://127.0.0.1:1883",
        description="mqtt://user:pass@host:1883 or mqtts://user:pass@host:8883 (docs/edge.md)",
    )
    mqtt_ca_file: Path | None = Field(default=None, description="CA of the broker, for mqtts")
    mqtt_cert_file: Path | None = Field(default=None, description="client certificate, PEM")
    mqtt_key_file: Path | None = Field(default=None, description="its private key, PEM")
    prefix: str = Field(default="estate", pattern=r"^[A-Za-z0-9_-]+$")
    site: str = Field(pattern=r"^[A-Za-z0-9_-]+$", description="site code in the site file")
    devices: list[DeviceMap] = Field(min_length=1)
    buffer: BufferConfig = BufferConfig()

    @field_validator("mqtt_url")
    @classmethod
    def _url_parses(cls, url: str) -> str:
        parse_mqtt_url(url)
        return url

    @property
    def tls(self) -> TlsFiles:
        """The TLS files for an mqtts URL (the URL's own `?ca_file=` wins)."""
        return TlsFiles(self.mqtt_ca_file, self.mqtt_cert_file, self.mqtt_key_file)

    @model_validator(mode="after")
    def _tls_files_usable(self) -> EdgeConfig:
        address = parse_mqtt_url(self.mqtt_url, self.tls)
        if address.tls is not None:
            try:
                ssl_context(address.tls)
            except ConfigError as exc:
                raise ValueError(str(exc)) from None
        return self

    @field_validator("devices")
    @classmethod
    def _devices_distinct(cls, devices: list[DeviceMap]) -> list[DeviceMap]:
        codes = [device.device for device in devices]
        twice = sorted({code for code in codes if codes.count(code) > 1})
        if twice:
            raise ValueError(f"device codes appear twice: {', '.join(twice)}")
        return devices

    def retarget(
        self,
        *,
        mqtt_url: str | None = None,
        prefix: str | None = None,
        modbus_host: str | None = None,
        modbus_port: int | None = None,
    ) -> EdgeConfig:
        """A copy aimed elsewhere: another broker, or every device at one Modbus server."""
        devices = [
            device.model_copy(
                update={
                    "host": modbus_host or device.host,
                    "port": modbus_port or device.port,
                }
            )
            for device in self.devices
        ]
        return self.model_validate(
            {
                **self.model_dump(exclude={"devices"}),
                "mqtt_url": mqtt_url or self.mqtt_url,
                "prefix": prefix or self.prefix,
                "devices": devices,
            }
        )


def parse_edge_config(path: Path) -> EdgeConfig:
    """The edge file at `path`, validated."""
    return parse_yaml(path, EdgeConfig)
