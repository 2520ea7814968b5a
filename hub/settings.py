"""Runtime settings, read from `HUB_*` environment variables (or a `.env` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent


class Settings(BaseSettings):
    """Where the hub keeps its data and which services it talks to.

    The zero-setup default is a SQLite file under `var/` and the embedded MQTT broker;
    production names PostgreSQL and Mosquitto by URL. Only the URLs differ.
    """

    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    var_dir: Path = Path("var")
    database_url: str = ""
    mqtt_url: str = Field(default="", description="mqtt://host:port; empty = embedded broker")
    topic_prefix: str = "estate"
    secret_key: str = Field(default="", description="JWT signing key; generated under var/")
    data_key: str = Field(default="", description="Fernet key for owner data; under var/")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    rules_file: Path = PACKAGE_DIR.parent / "rules" / "default.yaml"
    upload_max_bytes: int = 5 * 1024 * 1024
    token_minutes: int = 12 * 60
    metrics_token: str = Field(default="", description="bearer token for GET /metrics scrapers")
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536  # tests lower both: hashing cost is not what they test
    # Optional InfluxDB copy of every reading (hub/timeseries.py, docs/influxdb.md)
    influx_url: str = Field(default="", description="http(s)://host:8086; empty = no InfluxDB")
    influx_db: str = Field(default="", description="InfluxDB 1.x database")
    influx_token: str = Field(default="", description="InfluxDB 2.x/3.x (or 1.8+) API token")
    influx_org: str = Field(default="", description="InfluxDB 2.x/3.x organisation")
    influx_bucket: str = Field(default="", description="InfluxDB 2.x/3.x bucket")
    # Payments (docs/billing.md): who takes owners' money, and where providers post back
    payment_provider: str = Field(
        default="", description="sandbox (the default; `hub run` wants it named explicitly)"
    )
    payment_sandbox_key: str = Field(default="", description="sandbox HMAC key; under var/")
    payment_notify_url: str = Field(
        default="", description="the hub's URL as providers reach it; empty = as requested"
    )
    payment_alipay_app_id: str = ""
    payment_alipay_private_key_file: Path | None = Field(default=None, description="app key, PEM")
    payment_alipay_public_key_file: Path | None = Field(default=None, description="Alipay's, PEM")
    payment_alipay_gateway: str = "https://openapi.alipay.com/gateway.do"

    def resolved_database_url(self) -> str:
        """The configured database, or the SQLite file under `var/`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'estate-hub.db').resolve()}"

    def secret(self, name: str) -> str:
        """A secret from the environment, else one generated once and kept in `var/`."""
        value: str = getattr(self, name)
        if value:
            return value
        from hub.crypto import new_secret  # local: crypto imports settings

        path = self.var_dir / f"{name}.txt"
        if not path.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(new_secret(name))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests clear the cache after changing the environment)."""
    return Settings()
