"""Runtime settings, read from `HUB_*` environment variables (or a `.env` file)."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub import secret_files
from hub.image_header import MAX_PIXELS

PACKAGE_DIR = Path(__file__).resolve().parent


class Settings(BaseSettings):
    """Where the hub keeps its data and which services it talks to.

    The zero-setup default is a SQLite file under `var/` and the embedded MQTT broker;
    production names PostgreSQL and Mosquitto by URL. Only the URLs differ.
    """

    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    var_dir: Path = Path("var")
    database_url: str = ""
    mqtt_url: str = Field(
        default="", description="mqtt://user:pass@host:1883 or mqtts://...; empty = embedded"
    )
    # TLS for an mqtts:// broker (docs/security.md); no CA file = the system's trusted CAs
    mqtt_ca_file: Path | None = Field(default=None, description="CA that signed the broker, PEM")
    mqtt_cert_file: Path | None = Field(default=None, description="client certificate, PEM")
    mqtt_key_file: Path | None = Field(default=None, description="the client certificate's key")
    topic_prefix: str = "estate"
    secret_key: str = Field(default="", description="JWT signing key; generated under var/")
    data_key: str = Field(default="", description="Fernet key for owner data; under var/")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    rules_file: Path = PACKAGE_DIR.parent / "rules" / "default.yaml"
    sla_file: Path = PACKAGE_DIR.parent / "rules" / "sla.yaml"  # docs/service-desk.md
    # Uploaded photos (docs/security.md "Uploads")
    upload_max_bytes: int = 5 * 1024 * 1024
    upload_video_max_bytes: int = 20 * 1024 * 1024  # a short clip (~30 s at phone quality)
    upload_max_pixels: int = Field(
        default=MAX_PIXELS, ge=1, description="width x height; past it refused before decoding"
    )
    upload_quota_bytes: int = Field(
        default=200 * 1024 * 1024, ge=0, description="stored photo bytes per owner"
    )
    upload_decode_concurrency: int = 2  # photos decoded at once (a 40 MP one takes ~120 MiB)
    upload_decode_queue: int = 8  # uploads waiting to be decoded; beyond, 503 with Retry-After
    plan_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1, description="an uploaded site or floor plan, bytes"
    )
    asset_document_max_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1, description="an asset's manual or certificate, bytes"
    )
    asset_import_max_bytes: int = Field(
        default=2 * 1024 * 1024, ge=1, description="a ledger spreadsheet (.xlsx), bytes"
    )
    statement_max_bytes: int = Field(
        default=4 * 1024 * 1024, ge=1, description="a provider's daily statement file, bytes"
    )
    body_max_bytes: int = Field(
        default=1024 * 1024, ge=1, description="any other request body (JSON, forms), bytes"
    )
    audit_retention_days: int = Field(
        default=365, ge=180, description="days the audit log keeps an entry (at least 180)"
    )
    # How old a device's own timestamp may be (docs/ingest.md, "Readings the hub distrusts")
    reading_max_age: timedelta = Field(
        default=timedelta(hours=72), gt=timedelta(0), description="e.g. PT72H; older: dead letter"
    )
    reading_replay_max_age: timedelta = Field(
        default=timedelta(days=31),
        gt=timedelta(0),
        description='for an edge gateway\'s buffered replay ("replayed": true), e.g. P31D',
    )
    # Authentication (docs/security.md): short access tokens, refresh within a session
    access_token_minutes: int = 15
    session_hours: int = 12  # a login lasts at most this long, however often it refreshes
    login_account_failures: int = 5  # failures per username within the window lock it
    login_address_failures: int = 50  # failures per client address within the window lock it
    login_window_minutes: int = 15
    login_lockout_minutes: int = 15
    hash_concurrency: int = 2  # argon2 hashes at once (64 MiB each by default)
    hash_queue: int = 16  # callers waiting for a hash slot; beyond, 503 with Retry-After
    metrics_token: str = Field(default="", description="bearer token for GET /metrics scrapers")
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536  # tests lower both: hashing cost is not what they test
    # Optional InfluxDB copy of every reading (hub/timeseries.py, docs/influxdb.md)
    influx_url: str = Field(default="", description="http(s)://host:8086; empty = no InfluxDB")
    influx_db: str = Field(default="", description="InfluxDB 1.x database")
    influx_token: str = Field(default="", description="InfluxDB 2.x/3.x (or 1.8+) API token")
    influx_org: str = Field(default="", description="InfluxDB 2.x/3.x organisation")
    influx_bucket: str = Field(default="", description="InfluxDB 2.x/3.x bucket")
    # SMS for owners' verification codes (adapters/sms/, docs/security.md)
    sms_provider: str = Field(default="sandbox", description="sandbox: messages go to sms_sink")
    sms_sink: Path | None = Field(default=None, description="sandbox sink; var/sms-sandbox.jsonl")
    sms_signature: str = Field(default="物业", description="the 【signature】 texts start with")
    public_url: str = Field(
        default="", description="the web app's address in SMS links (surveys); empty = a path"
    )
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

    def resolved_sms_sink(self) -> Path:
        """Where the sandbox SMS provider writes: HUB_SMS_SINK, or a file under `var/`."""
        return self.sms_sink or self.var_dir / "sms-sandbox.jsonl"

    def secret(self, name: str, *, create: bool = True) -> str:
        """A secret from the environment, else from `var/<name>.txt` (made on first use).

        The file is re-read whenever it changes, so a key rotation reaches running processes.
        With `create=False` a missing file gives "" instead of a new key.
        """
        value: str = getattr(self, name)
        if value:
            return value
        from hub.crypto import new_secret  # local: crypto imports settings

        path = self.secret_path(name)
        if not path.exists():
            if not create:
                return ""
            secret_files.create(path, new_secret(name))
        return secret_files.read(path)

    def secret_path(self, name: str) -> Path:
        """Where a secret not given in the environment is kept."""
        return self.var_dir / f"{name}.txt"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests clear the cache after changing the environment)."""
    return Settings()
