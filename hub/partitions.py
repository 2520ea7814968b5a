"""Partitions of the estates among hub workers: all messages of a site go to one worker.

Topics carry the site (`{prefix}/{site}/{device}/...`), so worker i of N subscribes only to the
sites it owns and keeps their rule state in memory. A site belongs to partition
`crc32(site code) % N`: stable across processes, restarts and Python versions (unlike `hash`).
Workers coordinate only through PostgreSQL: each holds an advisory lock for its partition for its
whole life, so a second worker started for the same partition refuses to start, and a shared
lock on its worker count N, so a worker started with another N (whose shares would overlap)
refuses too.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from hub.errors import ConfigError, Conflict
from hub.storage.db import Database
from hub.storage.models import Site

log = logging.getLogger(__name__)

LOCK_NAMESPACE = 0x45480001  # first key of every hub partition lock ("EH", 1) in pg_locks
_TEXT = re.compile(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*")


@dataclass(frozen=True)
class Partition:
    """Worker `index` (0-based) of `count`; its sites are those whose code hashes to `index`."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise ConfigError(
                f"partition index {self.index} of {self.count}: need 0 <= index < count"
            )

    @classmethod
    def parse(cls, text: str) -> Partition:
        """`"2/4"` is worker 2 of 4, counted from 1 as on the command line (index 1 of 4)."""
        match = _TEXT.fullmatch(text)
        if match is None:
            raise ConfigError(
                f"partition {text!r}: give WORKER/COUNT, e.g. 2/4 for worker 2 of 4 workers"
            )
        number, count = int(match[1]), int(match[2])
        if count < 1:
            raise ConfigError(f"partition {text!r}: the number of workers must be at least 1")
        if not 1 <= number <= count:
            raise ConfigError(
                f"partition {text!r}: workers are numbered from 1 to {count} (1/{count} … "
                f"{count}/{count})"
            )
        return cls(number - 1, count)

    @classmethod
    def whole(cls) -> Partition:
        """One worker for every site (1/1), what the hub runs when not partitioned."""
        return cls(0, 1)

    def owns(self, site_code: str) -> bool:
        """Whether this worker serves the site; the same answer in every process."""
        return zlib.crc32(site_code.encode()) % self.count == self.index

    def __str__(self) -> str:
        return f"{self.index + 1}/{self.count}"


def owned_sites(session: Session, partition: Partition) -> list[tuple[int, str]]:
    """(site id, site code) of the sites this partition serves, by id."""
    rows = session.execute(select(Site.id, Site.code).order_by(Site.id))
    return [(site_id, code) for site_id, code in rows if partition.owns(code)]


class Claim:
    """A partition held by this process: `hold` checks, at each timer tick, that it still is.

    The lock lives on one PostgreSQL connection; if that connection drops (a database restart,
    a network cut) the lock goes with it, and another worker could take the partition.
    """

    def __init__(self, database: Database, partition: Partition) -> None:
        self.database = database
        self.partition = partition
        self._connection: Connection | None = None

    def take(self) -> None:
        """Lock the partition and the worker count, on a connection of its own."""
        connection = self.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            schema = connection.scalar(text("SELECT current_schema()")) or ""
            _lock_partition(connection, schema, self.partition)
            _lock_layout(connection, schema, self.partition)
        except BaseException:
            connection.invalidate()  # closed for real: no lock stays behind in the pool
            connection.close()
            raise
        self._connection = connection

    def hold(self) -> None:
        """Still held, or taken again on a new connection once the database is back; `Conflict`
        if another worker has taken the partition meanwhile: then this one must stop."""
        if self.database.engine.dialect.name != "postgresql":
            return  # SQLite: one worker, nothing to hold
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                return
            except DBAPIError as exc:
                log.warning("partitions: the lock of %s was lost (%s); taking it again", self, exc)
                self._connection.invalidate()
                self._connection.close()
                self._connection = None
        try:
            self.take()
        except DBAPIError as exc:
            log.warning("partitions: cannot take %s again yet (%s); next tick", self, exc)
            return
        except ConfigError as exc:
            raise Conflict(
                f"{self} was lost (its database connection dropped) and taken by another "
                f"worker meanwhile; this worker stops ({exc})"
            ) from None
        log.warning("partitions: %s is held again", self)

    def release(self) -> None:
        if self._connection is not None:
            _release(self._connection)
            self._connection = None

    def __str__(self) -> str:
        return f"partition {self.partition}"


@contextmanager
def claim(database: Database, partition: Partition) -> Iterator[Claim]:
    """Hold `partition` for this process until exit, so a second worker for it cannot start,
    nor a worker started with another worker count.

    PostgreSQL: session advisory locks on a connection of its own, kept open (autocommit, so
    it is never idle in a transaction). SQLite: only 1/1, with no lock (it has one writer).
    """
    dialect = database.engine.dialect.name
    held = Claim(database, partition)
    if dialect != "postgresql":
        if partition.count > 1:
            raise ConfigError(
                f"partition {partition}: several workers need PostgreSQL "
                f"({dialect} has no advisory locks and one writer); run one worker (1/1)"
            )
        yield held
        return
    held.take()
    try:
        yield held
    finally:
        held.release()


def _lock_partition(connection: Connection, schema: str, partition: Partition) -> None:
    key = lock_key(schema, partition)
    locked = connection.scalar(
        text("SELECT pg_try_advisory_lock(CAST(:ns AS integer), CAST(:key AS integer))"),
        {"ns": LOCK_NAMESPACE, "key": key},
    )
    if not locked:
        holder = _holder(connection, key)
        raise ConfigError(
            f"partition {partition} is already served by another hub worker (PostgreSQL "
            f"advisory lock ({LOCK_NAMESPACE}, {key}) for schema {schema!r}{holder}); "
            "stop that worker or start this one for another partition"
        )


def _lock_layout(connection: Connection, schema: str, partition: Partition) -> None:
    """A shared lock (schema's layout key, N): workers started with another N are refused, since
    their shares of the sites would overlap ours. Taken, then checked: of two workers with
    different N starting at once, neither misses the other."""
    layout = layout_key(schema)
    connection.execute(
        text("SELECT pg_advisory_lock_shared(CAST(:layout AS integer), CAST(:n AS integer))"),
        {"layout": layout, "n": partition.count},
    )
    counts = connection.scalars(
        text(
            "SELECT DISTINCT objid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid = CAST(:layout AS oid) AND objsubid = 2"
            " AND objid <> CAST(:n AS oid)"
        ),
        {"layout": layout, "n": partition.count},
    ).all()
    if counts:
        others = ", ".join(str(count) for count in sorted(counts))
        raise ConfigError(
            f"partition {partition}: hub workers started for {others} partitions already run on "
            f"schema {schema!r}; every worker needs the same count: stop them all, then start "
            f"1/N ... N/N with one N"
        )


def layout_key(schema: str) -> int:
    """The first key of the worker-count locks: per schema (their second key is N)."""
    return zlib.crc32(f"{schema}\0layout".encode()) & 0x7FFFFFFF


def lock_key(schema: str, partition: Partition) -> int:
    """The lock's second key: per schema and worker count, distinct for each index of one N."""
    base = zlib.crc32(f"{schema}\0{partition.count}".encode())
    return (base + partition.index) & 0x7FFFFFFF


def _holder(connection: Connection, key: int) -> str:
    """`, held by backend pid N`, for the operator who has to find the other worker."""
    pid = connection.scalar(
        text(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid = CAST(:ns AS oid) AND objid = CAST(:key AS oid) AND objsubid = 2"
        ),
        {"ns": LOCK_NAMESPACE, "key": key},
    )
    return f", held by backend pid {pid}" if pid is not None else ""


def _release(connection: Connection) -> None:
    """Unlock (the partition and the layout: the connection holds nothing else) and return the
    connection; a broken one is discarded (closing it unlocks too)."""
    try:
        connection.execute(text("SELECT pg_advisory_unlock_all()"))
    except DBAPIError as exc:
        log.warning("partitions: could not unlock (%s); closing the lock's connection", exc)
        connection.invalidate()
    finally:
        connection.close()
