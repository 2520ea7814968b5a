"""Data key rotation without downtime: new key first, re-encrypt in batches, drop old keys.

Every process re-reads the key file when it changes, and the cipher decrypts with any key in
it, so while rows move to the new key each process reads old and new rows alike. Only when no
row needs an old key does `finish` remove the old ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Row, String, literal, select, update

from hub import crypto, secret_files
from hub.data_keys import EncryptedColumn, existing_columns
from hub.errors import ConfigError
from hub.settings import Settings

BATCH_SIZE = 500


@dataclass(frozen=True)
class Pass:
    """What one pass over the encrypted columns found."""

    reencrypted: int = 0
    current: int = 0  # already under the newest key
    old: int = 0  # still under an old key (counted by `finish`)
    unreadable: int = 0  # no configured key opens them (damaged rows), left as they are


def add_new_key(settings: Settings) -> bool:
    """Put a fresh key first in var/data_key.txt; False if a rotation is already under way.

    With HUB_DATA_KEY in the environment the hub cannot edit it: the operator sets `new,old`
    in every process first.
    """
    if settings.data_key:
        if len(crypto.parse_keys(settings.data_key)) < 2:
            fresh = crypto.new_secret("data_key")
            raise ConfigError(
                "HUB_DATA_KEY is set in the environment, which the hub cannot change: set it to "
                f"a new key then the old one, comma-separated (a new key: {fresh}), "
                "in every process, then run `hub keys rotate` again"
            )
        return False
    keys = crypto.data_keys()
    if len(keys) > 1:
        return False
    secret_files.replace(
        settings.secret_path("data_key"), "\n".join([crypto.new_secret("data_key"), *keys]) + "\n"
    )
    return True


def _batches(
    engine: Engine, item: EncryptedColumn, batch_size: int
) -> Iterator[tuple[Connection, list[Row[int, str]]]]:
    """Walk one column by primary key, one transaction per batch."""
    last: int | None = None
    while True:
        with engine.begin() as connection:
            query = select(item.key, item.raw).where(item.column.is_not(None))
            if last is not None:
                query = query.where(item.key > last)
            rows = list(connection.execute(query.order_by(item.key).limit(batch_size)))
            if not rows:
                return
            yield connection, rows
        last = rows[-1][0]


def reencrypt(engine: Engine, *, batch_size: int = BATCH_SIZE) -> Pass:
    """Move every encrypted value to the newest key, a batch per transaction."""
    newest = crypto.data_keys()[0]
    counts = {"reencrypted": 0, "current": 0, "unreadable": 0}
    with engine.connect() as connection:
        columns = list(existing_columns(connection))
    for item in columns:
        for connection, rows in _batches(engine, item, batch_size):
            for row_id, token in rows:
                if crypto.readable(token, newest):
                    counts["current"] += 1
                    continue
                try:
                    fresh = crypto.reencrypt(token)
                except ConfigError:
                    counts["unreadable"] += 1
                    continue
                # Only if unchanged since read: a concurrent edit already used the new key.
                connection.execute(
                    update(item.table)
                    .where(item.key == row_id, item.raw == token)
                    .values({item.column.name: literal(fresh, String)})
                )
                counts["reencrypted"] += 1
    return Pass(**counts)


def survey(engine: Engine, *, batch_size: int = BATCH_SIZE) -> Pass:
    """Count values under the newest key, under an old one, and under none."""
    keys = crypto.data_keys()
    counts = {"current": 0, "old": 0, "unreadable": 0}
    with engine.connect() as connection:
        columns = list(existing_columns(connection))
    for item in columns:
        for _, rows in _batches(engine, item, batch_size):
            for _, token in rows:
                if crypto.readable(token, keys[0]):
                    counts["current"] += 1
                elif any(crypto.readable(token, key) for key in keys[1:]):
                    counts["old"] += 1
                else:
                    counts["unreadable"] += 1
    return Pass(**counts)


def finish(engine: Engine, settings: Settings) -> Pass:
    """Drop the old keys from var/data_key.txt once no value needs them."""
    found = survey(engine)
    if found.old:
        raise ConfigError(
            f"{found.old} encrypted values still need an old key (written by a process that "
            "had not seen the new key yet?): run `hub keys rotate` again, then --finish"
        )
    if not settings.data_key:
        secret_files.replace(settings.secret_path("data_key"), crypto.data_keys()[0] + "\n")
    return found
