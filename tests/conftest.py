"""Shared fixtures: a fresh database (SQLite, or a PostgreSQL schema in CI), a real MQTT broker
(Mosquitto in CI, the embedded amqtt broker on a bare machine), the sample site, API clients.

Environment:
  HUB_TEST_DATABASE_URL  PostgreSQL URL; each test gets its own schema. Unset: SQLite file
                         (PostgreSQL-only tests, `postgres_schemas` or `@pytest.mark.postgresql`,
                         still use 127.0.0.1:5432/test if it answers).
  HUB_TEST_MQTT_URL      mqtt://host:port of a running broker. Unset: embedded broker.
  CI=true                a named service that cannot be reached fails the test, never skips it.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import socket
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa
from alembic import command
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient

from adapters.mqtt.broker import BrokerThread
from api.app import create_app
from hub.clock import Clock, FakeClock
from hub.context import HubContext
from hub.services.site import LoadResult, load_site
from hub.settings import Settings, get_settings
from hub.site_file import SAMPLE_SITE, parse_site_file
from hub.storage.db import Database, alembic_config, upgrade

IN_CI = os.environ.get("CI", "").lower() == "true"


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 1883), 2):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def hub_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own var dir and keys, never the developer's `var/`, and its own copy
    of the default rules and SLA files (admins may save them through the API)."""
    monkeypatch.setenv("HUB_VAR_DIR", str(tmp_path / "var"))
    rules = tmp_path / "rules" / "default.yaml"
    rules.parent.mkdir()
    shutil.copy(Settings.model_fields["rules_file"].default, rules)
    monkeypatch.setenv("HUB_RULES_FILE", str(rules))
    sla = rules.parent / "sla.yaml"
    shutil.copy(Settings.model_fields["sla_file"].default, sla)
    monkeypatch.setenv("HUB_SLA_FILE", str(sla))
    monkeypatch.setenv("HUB_SECRET_KEY", secrets.token_urlsafe(32))
    monkeypatch.setenv("HUB_DATA_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("HUB_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("HUB_ARGON2_MEMORY_KIB", "1024")
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@cache
def _postgres_schema_sql() -> str:
    """The migrations as one SQL script for PostgreSQL (Alembic's offline mode), made once a run.

    Replaying it into a new schema takes half the time of running Alembic for every test; the
    online upgrade itself is tested once in tests/storage/test_migrations.py.
    """
    script = io.StringIO()
    config = alembic_config(LOCAL_POSTGRES)
    config.output_buffer = script
    command.upgrade(config, "head", sql=True)
    return script.getvalue()


@contextmanager
def _fresh_schema(pg_url: str) -> Iterator[str]:
    """A new, migrated schema on `pg_url`, dropped afterwards; yields the URL that uses it."""
    schema = f"t_{secrets.token_hex(6)}"
    admin = sa.create_engine(pg_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
        conn.exec_driver_sql(_postgres_schema_sql())
    sep = "&" if "?" in pg_url else "?"
    try:
        yield f"{pg_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once a run; each test gets a copy of it."""
    path = tmp_path_factory.mktemp("schema") / "hub.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database.engine)
    database.dispose()
    return path


POSTGRESQL_MARK = "postgresql"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{POSTGRESQL_MARK}: PostgreSQL-only behaviour; database_url (so settings, context, site)"
        " is a `postgres_schemas` schema in every pass, the SQLite one too",
    )


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: its own PostgreSQL schema, or a new SQLite file.

    A test marked `@pytest.mark.postgresql` gets a schema from `postgres_schemas` even when the
    suite runs on SQLite, so it runs (or, in CI, fails) in both passes instead of skipping.
    """
    if request.node.get_closest_marker(POSTGRESQL_MARK):
        yield request.getfixturevalue("postgres_schemas")()
        return
    pg_url = os.environ.get("HUB_TEST_DATABASE_URL")
    if not pg_url:
        path = tmp_path / "hub.db"
        template = request.getfixturevalue("_migrated_sqlite")
        with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(path)) as copy:
            source.backup(copy)
        yield f"sqlite:///{path}"
        return
    with _fresh_schema(pg_url) as url:
        yield url


@pytest.fixture
def postgres_server() -> str:
    """The PostgreSQL server for PostgreSQL-only behaviour, even on a SQLite run.

    HUB_TEST_DATABASE_URL, else the local one at 127.0.0.1:5432/test. Unreachable: the test
    skips, except in CI or when HUB_TEST_DATABASE_URL names it (then it fails).
    """
    named = os.environ.get("HUB_TEST_DATABASE_URL")
    pg_url = named or LOCAL_POSTGRES
    engine = sa.create_engine(pg_url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        reason = f"PostgreSQL at {engine.url.render_as_string()} is not reachable: {exc.orig}"
        if IN_CI or named:
            pytest.fail(reason)
        pytest.skip(reason)
    finally:
        engine.dispose()
    return pg_url


@pytest.fixture
def postgres_schemas(postgres_server: str) -> Iterator[Callable[[], str]]:
    """Fresh, migrated PostgreSQL schemas on `postgres_server`, dropped after the test."""
    with ExitStack() as schemas:
        yield lambda: schemas.enter_context(_fresh_schema(postgres_server))


@pytest.fixture
def settings(database_url: str, hub_env: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 10, 2, 0, tzinfo=UTC))


@pytest.fixture
def context(settings: Settings, clock: FakeClock) -> Iterator[HubContext]:
    ctx = HubContext.from_settings(settings, clock)
    yield ctx
    ctx.db.dispose()


@pytest.fixture
def site(context: HubContext) -> LoadResult:
    """The sample estate, loaded; `new_accounts` holds every account's initial password."""
    with context.db.session() as session:
        return load_site(session, parse_site_file(SAMPLE_SITE), now=context.clock.now())


@pytest.fixture(scope="session")
def mqtt_url() -> Iterator[str]:
    """A real broker: HUB_TEST_MQTT_URL (Mosquitto in CI) or an embedded amqtt broker."""
    url = os.environ.get("HUB_TEST_MQTT_URL")
    if url:
        if not _reachable(url):
            pytest.fail(f"HUB_TEST_MQTT_URL={url} is not reachable")
        yield url
        return
    if IN_CI:
        pytest.fail("CI=true but HUB_TEST_MQTT_URL is not set: CI must test on Mosquitto")
    broker = BrokerThread().start()
    yield broker.url
    broker.stop()


@pytest.fixture
def topic_prefix() -> str:
    """A random prefix so concurrent runs on one broker never see each other's messages."""
    return f"test-{secrets.token_hex(4)}"


class ApiClient:
    """A TestClient that logs in as a named account (changing its initial password first), and
    logs in again once the hub's clock has moved past the access token's lifetime."""

    def __init__(self, client: TestClient, accounts: dict[str, str], clock: Clock) -> None:
        self.client = client
        self.accounts = accounts
        self.clock = clock
        self._tokens: dict[str, tuple[str, datetime]] = {}

    def login(self, username: str, password: str | None = None) -> dict[str, Any]:
        """The token response of a fresh login (its own session) with the current password."""
        response = self.client.post(
            "/api/v1/auth/token",
            data={"username": username, "password": password or self.accounts[username]},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def token(self, username: str) -> str:
        cached = self._tokens.get(username)
        if cached is not None and self.clock.now() < cached[1]:
            return cached[0]
        body = self.login(username)
        token = body["access_token"]
        if body["must_change_password"]:
            initial = self.accounts[username]
            new = initial + "Aa1!"
            changed = self.client.post(
                "/api/v1/auth/password",
                json={"current_password": initial, "new_password": new},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert changed.status_code == 204, changed.text
            self.accounts[username] = new
        expires = self.clock.now() + timedelta(seconds=body["expires_in"])
        self._tokens[username] = (token, expires)
        return token

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}

    def get(self, path: str, *, as_user: str, **kwargs: object) -> object:
        return self.client.get(path, headers=self.headers(as_user), **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, *, as_user: str, **kwargs: object) -> object:
        return self.client.post(path, headers=self.headers(as_user), **kwargs)  # type: ignore[arg-type]

    def put(self, path: str, *, as_user: str, **kwargs: object) -> object:
        return self.client.put(path, headers=self.headers(as_user), **kwargs)  # type: ignore[arg-type]

    def delete(self, path: str, *, as_user: str) -> object:
        return self.client.delete(path, headers=self.headers(as_user))


@pytest.fixture
def api(context: HubContext, site: LoadResult) -> Iterator[ApiClient]:
    """The API over the sample site; `api.get(path, as_user="operator")` logs in as needed."""
    with TestClient(create_app(context)) as client:
        yield ApiClient(client, dict(site.new_accounts), context.clock)
