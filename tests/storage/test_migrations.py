"""`hub db upgrade` builds the schema the code declares, on SQLite and on PostgreSQL.

The other tests get their database from a copy (SQLite) or a replayed SQL script (PostgreSQL)
of one migration run, so this is where the migration itself is run the way a site runs it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import hub.storage.models  # noqa: F401  (registers every table)
from hub.storage.base import Base
from hub.storage.db import Database, upgrade


def _differences(url: str) -> list[object]:
    database = Database(url)
    try:
        upgrade(database.engine)
        with database.engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))
    finally:
        database.dispose()


@pytest.fixture
def empty_postgres_schema(postgres_server: str) -> Iterator[str]:
    """A schema with nothing in it, on the PostgreSQL server the suite uses."""
    schema = f"m_{secrets.token_hex(6)}"
    admin = sa.create_engine(postgres_server)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        sep = "&" if "?" in postgres_server else "?"
        yield f"{postgres_server}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def test_the_migration_builds_the_models_schema_on_sqlite(tmp_path: Path) -> None:
    assert _differences(f"sqlite:///{tmp_path / 'hub.db'}") == []


def test_the_migration_builds_the_models_schema_on_postgresql(empty_postgres_schema: str) -> None:
    assert _differences(empty_postgres_schema) == []
