"""Alembic environment: runs on the connection handed in by `hub.storage.db.upgrade`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import hub.storage.models  # noqa: F401  (registers every table)
from hub.storage.base import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    if context.is_offline_mode():  # `upgrade --sql`: the script, without a database
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=target_metadata,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _migrate(conn)


def _migrate(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
