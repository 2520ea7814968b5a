"""The rules runtime through the database: a restart resumes timers, a rollback forgets,
scopes see buildings, a changed rules file is picked up unless it is bad, and a partition of
the sites holds, times and watches its own sites only."""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.context import HubContext
from hub.ingest import device_info
from hub.partitions import Partition
from hub.services.automation import apply_actions
from hub.services.rule_state import RulesRuntime
from hub.services.site import LoadResult
from hub.storage.db import Database
from hub.storage.models import Alert, Device, RuleState, Site
from rules.actions import RaiseAlert
from rules.checkers import location_key
from rules.facts import DeviceInfo, Observation, ReadingFact
from tests.rules.helpers import FIRE, write_rules
from tests.support.sites import OTHER_SITE, load_other_site

LOW_PRESSURE = {
    "id": "pressure-low-2min",
    "kind": "duration",
    "device_kind": "pump",
    "metric": "pressure_bar",
    "below": 1.5,
    "for_s": 120,
}


def _device(context: HubContext, code: str) -> DeviceInfo:
    with context.db.session() as session:
        device = session.scalars(select(Device).where(Device.code == code)).one()
        return device_info(device)


def _reading(device: DeviceInfo, metric: str, value: str, context: HubContext) -> Observation:
    fact = ReadingFact(None, metric, context.clock.now(), Decimal(value))
    return Observation(device, readings=(fact,))


def test_a_restart_in_the_middle_of_a_duration_fires_on_time_and_once(
    context: HubContext, site: LoadResult, tmp_path: Path
) -> None:
    path = write_rules(tmp_path / "rules.yaml", LOW_PRESSURE)
    pump = _device(context, "pump-1")
    clock = context.clock
    with context.db.session() as session:
        assert (
            RulesRuntime(path).observe(
                session, _reading(pump, "pressure_bar", "1.1", context), clock.now()
            )
            == []
        )

    start = clock.now()
    restarted = RulesRuntime(path)  # the hub restarts 60 s into the two minutes
    with context.db.session() as session:
        assert restarted.tick(session, start + timedelta(seconds=60)) == []
    with context.db.session() as session:
        actions = restarted.tick(session, start + timedelta(seconds=120))
        apply_actions(session, actions, now=start + timedelta(seconds=120))
    assert [a.rule_id for a in actions] == ["pressure-low-2min"]
    for runtime in (restarted, RulesRuntime(path)):  # neither the same nor a new hub fires again
        with context.db.session() as session:
            assert runtime.tick(session, start + timedelta(hours=1)) == []
    with context.db.session() as session:
        alerts = session.scalars(select(Alert).where(Alert.rule_id == "pressure-low-2min")).all()
        assert [a.reason.split(" (since")[0] for a in alerts] == [
            "pressure_bar = 1.1 < 1.5 for 120 s"
        ]


def test_a_rolled_back_transaction_leaves_no_state_behind(
    context: HubContext, site: LoadResult, tmp_path: Path
) -> None:
    path = write_rules(tmp_path / "rules.yaml", LOW_PRESSURE)
    runtime = RulesRuntime(path)
    pump = _device(context, "pump-1")
    with pytest.raises(RuntimeError), context.db.session() as session:
        runtime.observe(
            session, _reading(pump, "pressure_bar", "1.1", context), context.clock.now()
        )
        raise RuntimeError("the batch failed after the rules ran")
    with context.db.session() as session:
        assert session.scalars(select(RuleState)).all() == []
        assert runtime.tick(session, context.clock.now() + timedelta(minutes=5)) == []


def test_building_scope_and_schedule_use_the_site(
    context: HubContext, site: LoadResult, tmp_path: Path
) -> None:
    base = {"kind": "threshold", "metric": "water_m3", "above": 1}
    path = write_rules(
        tmp_path / "rules.yaml",
        {**base, "id": "b1-water", "buildings": ["B1"]},
        {**base, "id": "b2-water", "buildings": ["B2"]},
    )
    runtime = RulesRuntime(path)
    meter = _device(context, "wm-b1-101")  # in B1 through its home
    with context.db.session() as session:
        actions = runtime.observe(
            session, _reading(meter, "water_m3", "5", context), context.clock.now()
        )
    assert {a.rule_id for a in actions} == {"b1-water"}


def test_a_changed_file_is_picked_up_and_a_bad_one_leaves_the_rules_in_force(
    context: HubContext, site: LoadResult, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_rules(tmp_path / "rules.yaml", LOW_PRESSURE)
    runtime = RulesRuntime(path)
    assert runtime.reload_if_changed() is False  # unchanged: nothing read

    write_rules(path, LOW_PRESSURE, {"id": "broken", "kind": "wish"})
    os.utime(path, ns=(1, 1))
    with caplog.at_level(logging.ERROR):
        assert runtime.reload_if_changed() is False
    assert "the running rules stay" in caplog.text and "'broken'" in caplog.text
    assert [r.id for r in runtime.rules.rules] == ["pressure-low-2min"]

    write_rules(path, {**LOW_PRESSURE, "id": "pressure-low-5min", "for_s": 300})
    os.utime(path, ns=(2, 2))
    assert runtime.reload_if_changed() is True
    assert [r.id for r in runtime.rules.rules] == ["pressure-low-5min"]
    pump = _device(context, "pump-1")
    with context.db.session() as session:
        runtime.observe(
            session, _reading(pump, "pressure_bar", "1.1", context), context.clock.now()
        )
    with context.db.session() as session:
        keys = [(s.rule_id, s.key) for s in session.scalars(select(RuleState))]
    assert keys == [("pressure-low-5min", str(pump.id))]


# ------------------------------------------------------------------ partitions

PUMP_SILENT = {"id": "pump-offline", "kind": "offline", "device_kind": "pump", "timeout_s": 600}
OWN, SAMPLE = Partition.parse("1/2"), Partition.parse("2/2")  # silver-court, green-garden


def _device_of(context: HubContext, site_code: str, code: str) -> DeviceInfo:
    with context.db.session() as session:
        device = session.scalars(
            select(Device)
            .join(Site, Site.id == Device.site_id)
            .where(Site.code == site_code, Device.code == code)
        ).one()
        return device_info(device)


@pytest.fixture
def two_sites(context: HubContext, site: LoadResult, tmp_path: Path) -> Path:
    """Both estates with a pump below pressure (a duration timer) and smoke in a lobby (a
    composite's location state), judged by one unpartitioned runtime; returns the rules."""
    load_other_site(context)
    path = write_rules(tmp_path / "rules.yaml", LOW_PRESSURE, FIRE, PUMP_SILENT)
    runtime = RulesRuntime(path)
    with context.db.session() as session:
        for site_code in ("green-garden", OTHER_SITE):
            pump = _device_of(context, site_code, "pump-1")
            smoke = _device_of(context, site_code, "smoke-b2-hall")
            now = context.clock.now()
            runtime.observe(session, _reading(pump, "pressure_bar", "1.1", context), now)
            runtime.observe(session, _reading(smoke, "smoke", "1", context), now)
    return path


def _resumed(context: HubContext, runtime: RulesRuntime) -> dict[str, list[str]]:
    with context.db.session() as session:
        runtime.tick(session, context.clock.now())
    return {rule: sorted(states) for rule, states in sorted(runtime.engine.snapshot().items())}


def test_a_partition_resumes_the_state_of_its_own_sites_only(
    context: HubContext, two_sites: Path
) -> None:
    sites = ("green-garden", OTHER_SITE)
    pumps = {code: str(_device_of(context, code, "pump-1").id) for code in sites}
    smoke = {code: _device_of(context, code, "smoke-b2-hall") for code in sites}
    lobby = {code: location_key(d.site_id, d.location) for code, d in smoke.items()}
    own = _resumed(context, RulesRuntime(two_sites, partition=OWN))
    assert own == {"fire": [lobby[OTHER_SITE]], "pressure-low-2min": [pumps[OTHER_SITE]]}
    sample = _resumed(context, RulesRuntime(two_sites, partition=SAMPLE))
    assert sample == {"fire": [lobby["green-garden"]], "pressure-low-2min": [pumps["green-garden"]]}
    everything = {
        "fire": sorted(own["fire"] + sample["fire"]),
        "pressure-low-2min": sorted(pumps.values()),
    }
    assert _resumed(context, RulesRuntime(two_sites)) == everything
    assert _resumed(context, RulesRuntime(two_sites, partition=Partition.whole())) == everything


def test_a_partition_fires_its_own_duration_timers_only(
    context: HubContext, two_sites: Path
) -> None:
    due = context.clock.now() + timedelta(seconds=120)
    fired: dict[str, list[str]] = {}
    for name, partition in (("own", OWN), ("sample", SAMPLE)):
        with context.db.session() as session:
            actions = RulesRuntime(two_sites, partition=partition).tick(session, due)
            apply_actions(session, actions, now=due)
            sites = {site_id: code for site_id, code in session.execute(select(Site.id, Site.code))}
        fired[name] = [sites[a.site_id] for a in actions if isinstance(a, RaiseAlert)]
    assert fired == {"own": [OTHER_SITE], "sample": ["green-garden"]}
    with context.db.session() as session:  # each timer fired once, by its site's worker
        assert RulesRuntime(two_sites).tick(session, due + timedelta(hours=1)) == []


def test_a_partition_watches_its_own_devices_for_silence(
    context: HubContext, two_sites: Path
) -> None:
    def watched(partition: Partition | None) -> list[tuple[int, str]]:
        with context.db.session() as session:
            found = RulesRuntime(two_sites, partition=partition).presences(session)
        return sorted((p.device.site_id, p.device.code) for p in found)

    own = _device_of(context, OTHER_SITE, "pump-1")
    sample = _device_of(context, "green-garden", "pump-1")
    assert watched(OWN) == [(own.site_id, "pump-1")]
    assert watched(SAMPLE) == [(sample.site_id, "pump-1")]
    assert watched(None) == sorted(watched(OWN) + watched(SAMPLE))


def test_two_runtimes_writing_the_first_state_of_one_device_do_not_collide(
    context: HubContext, site: LoadResult, tmp_path: Path
) -> None:
    """A hand-over: the second runtime resumed before the first stored the state."""
    path = write_rules(tmp_path / "rules.yaml", LOW_PRESSURE)
    pump = _device(context, "pump-1")
    first, second = RulesRuntime(path), RulesRuntime(path)
    now = context.clock.now()
    with context.db.session() as session:
        second.tick(session, now)  # resumed from an empty table
    with context.db.session() as session:
        first.observe(session, _reading(pump, "pressure_bar", "1.1", context), now)
    later = now + timedelta(seconds=30)
    with context.db.session() as session:  # its first state of the pump: an upsert, no error
        second.observe(session, _reading(pump, "pressure_bar", "1.2", context), later)
    with context.db.session() as session:
        rows = [(s.key, s.data["reason"]) for s in session.scalars(select(RuleState))]
    assert rows == [(str(pump.id), "pressure_bar = 1.2 < 1.5")]  # the later write wins
    with context.db.session() as session:  # it knows the row now: the clear deletes it
        second.observe(session, _reading(pump, "pressure_bar", "2.0", context), later)
    with context.db.session() as session:
        assert session.scalars(select(RuleState)).all() == []


@pytest.mark.postgresql  # SQLite has one writer: its transactions never overlap
def test_on_postgresql_a_concurrent_first_state_waits_and_then_updates(
    context: HubContext, site: LoadResult, tmp_path: Path, database_url: str
) -> None:
    """Two workers' transactions insert one (rule, key) at once: the second waits for the first
    to commit and then updates the row, where a plain INSERT failed its whole batch."""
    path = write_rules(tmp_path / "rules.yaml", LOW_PRESSURE)
    pump = _device(context, "pump-1")
    first, second = RulesRuntime(path), RulesRuntime(path)
    now = context.clock.now()
    with context.db.session() as session:
        first.tick(session, now)
        second.tick(session, now)
    other = Database(database_url)  # the second worker's process

    def second_worker() -> None:
        with other.session() as session:
            second.observe(session, _reading(pump, "pressure_bar", "1.2", context), now)

    pool = ThreadPoolExecutor(1)
    try:
        with context.db.session() as session:
            first.observe(session, _reading(pump, "pressure_bar", "1.1", context), now)
            waiting = pool.submit(second_worker)
            time.sleep(0.3)
            assert not waiting.done()  # held on the first one's uncommitted row
        waiting.result(timeout=30)
    finally:
        pool.shutdown()
        other.dispose()
    with context.db.session() as session:
        rows = [(s.key, s.data["reason"]) for s in session.scalars(select(RuleState))]
    assert rows == [(str(pump.id), "pressure_bar = 1.2 < 1.5")]
