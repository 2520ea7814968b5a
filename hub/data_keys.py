"""Which columns hold encrypted owner data, and whether the configured key opens them.

A hub started with the wrong data key (or none, after var/data_key.txt went missing) must not
quietly make a new key and leave every owner's phone unreadable: `check_data_key` refuses to
start instead, and is the only place a data key is made. It needs no canary row: the encrypted
values already stored are the sample.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Column, Connection, Engine, String, Table, inspect, select, type_coerce

from hub import crypto
from hub.errors import ConfigError
from hub.settings import Settings
from hub.storage import models  # noqa: F401  (registers every table on Base.metadata)
from hub.storage.base import Base
from hub.storage.types import EncryptedString

SAMPLES_PER_COLUMN = 5  # one damaged row must not look like a wrong key


@dataclass(frozen=True)
class EncryptedColumn:
    table: Table
    column: Column[str]

    @property
    def raw(self) -> Column[str]:
        """The column read as stored (the ciphertext), bypassing decryption."""
        return type_coerce(self.column, String)  # type: ignore[return-value]

    @property
    def key(self) -> Column[int]:
        """The table's single-column primary key, used to walk it in batches."""
        (primary,) = self.table.primary_key.columns
        return primary


def encrypted_columns() -> list[EncryptedColumn]:
    return [
        EncryptedColumn(table, column)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedString)
    ]


def existing_columns(connection: Connection) -> Iterator[EncryptedColumn]:
    """The encrypted columns whose table exists yet (none before the first migration)."""
    tables = set(inspect(connection).get_table_names())
    return (item for item in encrypted_columns() if item.table.name in tables)


def sample_tokens(connection: Connection) -> list[str]:
    tokens: list[str] = []
    for item in existing_columns(connection):
        query = select(item.raw).where(item.column.is_not(None)).limit(SAMPLES_PER_COLUMN)
        tokens.extend(connection.scalars(query))
    return tokens


def check_data_key(engine: Engine, settings: Settings) -> None:
    """ConfigError unless the data key opens the stored owner data; with none stored yet, a
    missing key is made here, the only place one is."""
    with engine.connect() as connection:
        tokens = sample_tokens(connection)
    if not tokens:
        settings.secret("data_key")
        return
    configured = settings.secret("data_key", create=False)
    if not configured:
        raise ConfigError(
            f"the database holds encrypted owner data but there is no data key: "
            f"{settings.secret_path('data_key')} is missing and HUB_DATA_KEY is not set. "
            "Restore the key file from a backup (see docs/installers.md, Keys); "
            "a new key would leave that data unreadable, so none is made"
        )
    keys = crypto.parse_keys(configured)
    if not any(crypto.readable(token, key) for token in tokens for key in keys):
        raise ConfigError(
            f"the data key (HUB_DATA_KEY or {settings.secret_path('data_key')}) does not open "
            f"the encrypted owner data in the database ({len(tokens)} values tried): every "
            "process must use the same key files; restore the right one from a backup "
            "(see docs/installers.md, Keys)"
        )
