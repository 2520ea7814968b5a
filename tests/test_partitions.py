"""Partitions: the text of `--partition`, a stable and even split of sites, and the advisory
lock that keeps a second worker off a partition (PostgreSQL; SQLite allows one worker only)."""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from hub.context import HubContext
from hub.errors import ConfigError, Conflict
from hub.partitions import LOCK_NAMESPACE, Partition, claim, lock_key, owned_sites
from hub.services.site import LoadResult
from hub.settings import Settings
from hub.storage.db import Database
from hub.worker import HubWorker
from tests.support.sites import OTHER_SITE, load_other_site
from tests.support.worker import forget_session

SITES = [f"estate-{i:02d}" for i in range(40)]


def test_the_text_counts_workers_from_one() -> None:
    assert Partition.parse("2/4") == Partition(1, 4)
    assert str(Partition.parse(" 2 / 4 ")) == "2/4"
    assert Partition.parse("1/1") == Partition.whole() == Partition(0, 1)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "give WORKER/COUNT"),
        ("2", "give WORKER/COUNT"),
        ("2/4/1", "give WORKER/COUNT"),
        ("-1/4", "give WORKER/COUNT"),
        ("a/b", "give WORKER/COUNT"),
        ("0/4", "numbered from 1 to 4"),
        ("5/4", "numbered from 1 to 4"),
        ("1/0", "at least 1"),
    ],
)
def test_a_bad_text_says_what_to_give(text: str, why: str) -> None:
    with pytest.raises(ConfigError, match=why) as caught:
        Partition.parse(text)
    assert repr(text) in str(caught.value)


def test_an_index_outside_the_count_is_refused() -> None:
    with pytest.raises(ConfigError, match="0 <= index < count"):
        Partition(4, 4)


@pytest.mark.parametrize("count", [2, 3])
def test_every_site_is_owned_exactly_once_and_the_split_is_roughly_even(count: int) -> None:
    partitions = [Partition(i, count) for i in range(count)]
    owners = {site: [p for p in partitions if p.owns(site)] for site in SITES}
    assert all(len(found) == 1 for found in owners.values())
    sizes = Counter(found[0].index for found in owners.values())
    even = len(SITES) / count
    assert all(0.6 * even <= sizes[p.index] <= 1.5 * even for p in partitions), sizes


def test_the_split_is_the_crc32_of_the_code_so_every_process_agrees() -> None:
    """Pinned: a change of hash (e.g. to Python's salted `hash`) would move sites between
    workers that disagree about them."""
    of = [next(i for i in range(3) if Partition(i, 3).owns(site)) for site in SITES[:10]]
    assert of == [0, 2, 2, 2, 1, 0, 1, 0, 1, 0]
    assert Partition.parse("2/2").owns("green-garden") and Partition.parse("1/2").owns(OTHER_SITE)
    assert Partition.whole().owns("green-garden") and Partition.whole().owns(OTHER_SITE)


def test_owned_sites_come_from_the_sites_table(context: HubContext, site: LoadResult) -> None:
    other = load_other_site(context)
    with context.db.session() as session:
        assert owned_sites(session, Partition.parse("1/2")) == [(other.site_id, OTHER_SITE)]
        assert owned_sites(session, Partition.parse("2/2")) == [(site.site_id, "green-garden")]
        assert [code for _, code in owned_sites(session, Partition.whole())] == [
            "green-garden",
            OTHER_SITE,
        ]


# ------------------------------------------------------------------ claim


def test_sqlite_serves_one_worker_only(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'one-writer.db'}")  # SQLite in every run
    try:
        several = pytest.raises(ConfigError, match="several workers need PostgreSQL")
        with several, claim(database, Partition.parse("2/4")):
            pass
        with claim(database, Partition.whole()) as held:
            assert held.partition == Partition.whole()
            held.hold()  # nothing to hold: one writer
    finally:
        database.dispose()


@pytest.fixture
def postgres_url(postgres_schemas: Callable[[], str]) -> str:
    """Advisory locks are PostgreSQL's: a schema of its own in every pass, the SQLite one too."""
    return postgres_schemas()


@pytest.fixture
def databases(postgres_url: str) -> Iterator[tuple[Database, Database]]:
    """Two engines on one PostgreSQL schema, as two worker processes would have."""
    first, second = Database(postgres_url), Database(postgres_url)
    yield first, second
    first.dispose()
    second.dispose()


def test_a_second_worker_for_a_held_partition_is_refused_until_it_is_released(
    databases: tuple[Database, Database],
) -> None:
    first, second = databases
    two_of_four = Partition.parse("2/4")
    with claim(first, two_of_four):
        with pytest.raises(ConfigError) as caught, claim(second, two_of_four):
            pass
        message = str(caught.value)
        assert message.startswith("partition 2/4 is already served by another hub worker")
        assert "PostgreSQL advisory lock" in message and "held by backend pid" in message
        assert "\n" not in message
        with claim(second, Partition.parse("1/4")):
            pass  # another index: another lock
    with claim(second, two_of_four):  # released: the partition can be served again
        pass


def test_a_worker_started_with_another_worker_count_is_refused(
    databases: tuple[Database, Database],
) -> None:
    """2/3 beside 2/4 would serve sites that 1/4..4/4 serve too; so would a second `hub run`."""
    first, second = databases
    with claim(first, Partition.parse("2/4")):
        for other in ("2/3", "1/1"):
            with pytest.raises(ConfigError) as caught, claim(second, Partition.parse(other)):
                pass
            assert f"partition {other}: hub workers started for 4 partitions already run" in str(
                caught.value
            )
        with claim(second, Partition.parse("3/4")):
            pass  # the same count: fine
    with claim(second, Partition.parse("2/3")):  # all of N=4 stopped: another N may start
        pass


def _lock_backend(database: Database, partition: Partition) -> int:
    with database.engine.connect() as watcher:
        schema = str(watcher.scalar(sa.text("SELECT current_schema()")))
        pid = watcher.scalar(
            sa.text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid = CAST(:ns AS oid) AND objid = CAST(:key AS oid)"
            ),
            {"ns": LOCK_NAMESPACE, "key": lock_key(schema, partition)},
        )
    assert pid is not None, f"nobody holds {partition}"
    return int(pid)


def _cut(database: Database, pid: int) -> None:
    """What a database restart or a network cut does to the lock's connection. The timeout
    (PostgreSQL 14+) waits until the backend is gone and its locks with it: without it the
    signal is only sent, and a busy server may still hold the lock a moment later."""
    with database.engine.connect() as admin:
        ended = admin.scalar(sa.text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid})
        assert ended


def test_a_worker_whose_lock_connection_dropped_takes_the_partition_again(
    databases: tuple[Database, Database],
) -> None:
    first, second = databases
    partition = Partition.parse("1/2")
    with claim(first, partition) as held:
        old = _lock_backend(second, partition)
        _cut(second, old)
        held.hold()  # the next tick
        assert _lock_backend(second, partition) != old
        with pytest.raises(ConfigError, match="already served"), claim(second, partition):
            pass


def test_a_worker_whose_partition_was_taken_while_it_was_cut_off_stops(
    databases: tuple[Database, Database],
) -> None:
    first, second = databases
    partition = Partition.parse("1/2")
    with claim(first, partition) as held:
        _cut(second, _lock_backend(second, partition))
        # a replacement started meanwhile
        with claim(second, partition), pytest.raises(Conflict) as caught:
            held.hold()
    assert "taken by another worker meanwhile; this worker stops" in str(caught.value)


def test_the_lock_is_held_on_an_idle_connection_not_an_open_transaction(
    databases: tuple[Database, Database],
) -> None:
    """An idle-in-transaction session could be cut by idle_in_transaction_session_timeout,
    which would drop the lock unnoticed."""
    first, second = databases
    partition = Partition.parse("1/2")
    with first.engine.connect() as probe:
        schema = probe.scalar(sa.text("SELECT current_schema()"))
    query = sa.text(
        "SELECT a.state FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.classid = CAST(:ns AS oid)"
        " AND l.objid = CAST(:key AS oid) AND l.objsubid = 2"
    )
    params = {"ns": LOCK_NAMESPACE, "key": lock_key(str(schema), partition)}
    with claim(first, partition), second.engine.connect() as watcher:
        assert watcher.execute(query, params).scalars().all() == ["idle"]
    with second.engine.connect() as watcher:
        assert watcher.execute(query, params).scalars().all() == []


def test_hubs_in_other_schemas_do_not_share_locks(
    databases: tuple[Database, Database], postgres_url: str
) -> None:
    first, _ = databases
    schema = f"t_{secrets.token_hex(6)}"
    with first.engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    other = Database(postgres_url.replace("search_path%3D", f"search_path%3D{schema}%2C", 1))
    try:
        partition = Partition.parse("1/2")
        with claim(first, partition), claim(other, partition):
            pass
    finally:
        other.dispose()
        with first.engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.mark.postgresql
async def test_a_worker_stops_when_its_partition_was_taken_while_its_lock_was_cut(
    context: HubContext, site: LoadResult, mqtt_url: str, topic_prefix: str
) -> None:
    """The timer's check, end to end: the worker (1/1) ends with `Conflict`, not in silence."""
    rules = Settings().rules_file
    worker = HubWorker(context, mqtt_url, rules, topic_prefix=topic_prefix, tick_seconds=3)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    other = Database(context.settings.database_url)  # as another process would
    try:
        await asyncio.wait_for(worker.connected.wait(), 10)
        _cut(other, _lock_backend(other, Partition.whole()))  # well before its first tick
        with claim(other, Partition.whole()), pytest.raises(Conflict):
            await asyncio.wait_for(task, 15)
    finally:
        stop.set()
        await asyncio.gather(task, return_exceptions=True)
        other.dispose()
        await asyncio.to_thread(forget_session, mqtt_url, str(worker.client_id))
