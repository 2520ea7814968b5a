"""The database part of a backup: SQLite's online backup API, or `pg_dump -Fc` of the schema.

Both copy a live database consistently while the hub keeps writing. PostgreSQL restores with
`pg_restore` into the same schema name (on a new server, or after the old schema is dropped
and created empty); the dump's own CREATE SCHEMA is skipped, so an empty schema made for it is
used as it is.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from psycopg.conninfo import make_conninfo
from sqlalchemy import Engine, inspect, text

from hub.errors import ConfigError, ServiceUnavailable

SQLITE_FILE = "database.sqlite"
PG_FILE = "database.pgdump"
_SCHEMA_ENTRY = re.compile(r" SCHEMA - | COMMENT - SCHEMA ")  # the schema itself, made by hand


def kind(engine: Engine) -> str:
    return "postgresql" if engine.dialect.name == "postgresql" else "sqlite"


def file_name(engine: Engine) -> str:
    return PG_FILE if kind(engine) == "postgresql" else SQLITE_FILE


def schema(engine: Engine) -> str | None:
    """The PostgreSQL schema the hub's tables live in (first of its search_path)."""
    if kind(engine) != "postgresql":
        return None
    with engine.connect() as connection:
        name = connection.scalar(text("SELECT current_schema()"))
    if name is None:
        raise ConfigError("the database URL's search_path names no existing schema: create it")
    return str(name)


def tables(engine: Engine) -> list[str]:
    """The tables there are now; restore needs none."""
    with engine.connect() as connection:
        return list(inspect(connection).get_table_names())


def dump(engine: Engine, out: Path) -> None:
    """Write a consistent copy of the live database to `out`."""
    if kind(engine) == "sqlite":
        target = sqlite3.connect(out)
        try:
            raw = engine.raw_connection()
            try:
                raw.driver_connection.backup(target)  # type: ignore[union-attr]
            finally:
                raw.close()
        finally:
            target.close()
        return
    _check_client_version(engine, "pg_dump")
    _run(
        engine,
        "pg_dump",
        "--format=custom",
        f"--schema={schema(engine)}",
        "--no-owner",
        "--no-privileges",
        f"--file={out}",
    )


def load(engine: Engine, dumped: Path) -> None:
    """Fill the (empty) database from `dumped`."""
    if kind(engine) == "sqlite":
        engine.dispose()
        source = sqlite3.connect(dumped)
        target = sqlite3.connect(str(engine.url.database))
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return
    _check_client_version(engine, "pg_restore")
    listing = _run(engine, "pg_restore", "--list", str(dumped), with_db=False)
    wanted = [line for line in listing.splitlines() if not _SCHEMA_ENTRY.search(line)]
    list_file = dumped.with_suffix(".list")
    list_file.write_text("\n".join(wanted) + "\n", encoding="utf-8")
    _run(
        engine,
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--use-list={list_file}",
        str(dumped),
    )


def check(engine: Engine, dumped: Path) -> None:
    """ConfigError unless `dumped` is a readable database copy of this hub's kind."""
    if dumped.name == SQLITE_FILE:
        connection = sqlite3.connect(f"file:{dumped}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"the backup's database is damaged: {exc}") from exc
        finally:
            connection.close()
        if result is None or result[0] != "ok":
            raise ConfigError(f"the backup's database is damaged: {result}")
        return
    _run(engine, "pg_restore", "--list", str(dumped), with_db=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ConfigError(f"{name} is not installed (PostgreSQL client tools, same major version)")
    return path


def _check_client_version(engine: Engine, name: str) -> None:
    """pg_dump older than the server refuses to dump it; say so before trying."""
    output = subprocess.run(
        [_tool(name), "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    with engine.connect() as connection:
        server = int(connection.scalar(text("SHOW server_version_num")) or 0) // 10000
    if match is None or int(match.group(1)) < server:
        raise ConfigError(
            f"{output.strip()} is older than the PostgreSQL {server} server: "
            f"install postgresql-client-{server}"
        )


def _run(engine: Engine, name: str, *args: str, with_db: bool = True) -> str:
    """Run a PostgreSQL client tool against the hub's database; the password goes by env."""
    _, params = engine.dialect.create_connect_args(engine.url)
    keywords = {k: v for k, v in params.items() if v is not None and k not in ("context",)}
    env = dict(os.environ)
    password = keywords.pop("password", None)
    if password is not None:
        env["PGPASSWORD"] = str(password)
    command = [_tool(name), *args]
    if with_db:
        command.append(f"--dbname={make_conninfo('', **keywords)}")
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise ServiceUnavailable(f"{name} failed: {result.stderr.strip()}")
    return result.stdout
