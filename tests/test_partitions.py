"""Partitions: the text of `--partition`, a stable and even split of sites, and the advisory
lock that keeps a second worker off a partition (PostgreSQL; SQLite allows one worker only)."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from hub.context import HubContext
from hub.errors import ConfigError
from hub.partitions import LOCK_NAMESPACE, Partition, claim, lock_key, owned_sites
from hub.services.site import LoadResult
from hub.storage.db import Database
from tests.support.sites import OTHER_SITE, load_other_site

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
            assert held == Partition.whole()
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
        with claim(second, Partition.parse("1/4")), claim(second, Partition.parse("2/3")):
            pass  # another index, or another worker count: another lock
    with claim(second, two_of_four):  # released: the partition can be served again
        pass


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
