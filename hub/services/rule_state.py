"""The rules engine in the hub: its state kept in the database, its file reloaded when changed.

`RulesRuntime` wraps the pure `rules.engine.Engine`. Each call writes the state the engine
changed into the caller's session, so state and actions commit (or roll back) together: after a
restart the engine resumes from the table and nothing fires twice or goes missing. A rolled
back transaction makes the runtime forget its memory and re-read the table on the next call.

With a `Partition` (several workers, hub/partitions.py) the runtime holds only the state of the
sites it owns: its timers fire, and its offline rules watch, for those sites' devices alone.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    String,
    Table,
    cast,
    delete,
    event,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from hub.errors import ConfigError
from hub.ingest import presences
from hub.partitions import Partition, owned_sites
from hub.storage.models import Building, Device, Home, RuleState, Site
from rules.actions import AnyAction
from rules.checkers import LOCATION_PREFIX
from rules.compile import RuleSet, load_rules
from rules.engine import Engine, Snapshot
from rules.facts import DeviceInfo, Observation, Presence

log = logging.getLogger(__name__)


class RulesRuntime:
    """One rules file and its engine; call from one thread (the worker's database thread).

    `partition` None (or 1/1) means every site; otherwise only the partition's sites' state is
    resumed, timed and watched. Observations are judged as given: the worker subscribes to its
    own sites only, so it is never shown another partition's devices.
    """

    def __init__(self, rules_path: Path, *, partition: Partition | None = None) -> None:
        self.path = rules_path
        self.partition = partition
        self._signature = _signature(rules_path)
        self.engine = Engine(load_rules(rules_path))  # a bad file stops the start, with its reason
        self._loaded = False
        self._rows: dict[tuple[str, str], int] = {}  # (rule id, key) -> RuleState id
        self._places: dict[int, tuple[str, str]] = {}  # device id -> (building code, timezone)
        self._placed: dict[int, tuple[DeviceInfo, DeviceInfo]] = {}  # id -> (as given, placed)

    @property
    def rules(self) -> RuleSet:
        return self.engine.rules

    def observe(self, session: Session, observation: Observation, now: datetime) -> list[AnyAction]:
        """Actions for one ingested message; the engine's new state goes into `session`."""
        self._resume(session)
        device = self._place(session, observation.device)
        actions = self.engine.observe(replace(observation, device=device), now)
        self._save(session, now)
        return actions

    def tick(self, session: Session, now: datetime) -> list[AnyAction]:
        """Actions of the duration timers that ran out by `now`."""
        self._resume(session)
        actions = self.engine.tick(now)
        self._save(session, now)
        return actions

    def presences(
        self, session: Session, now: datetime | None = None, since: datetime | None = None
    ) -> list[Presence]:
        """The devices the offline rules watch (the partition's own), with building and timezone;
        given `now` and when the hub started listening (`since`), only those quiet long enough
        that an offline rule could be due."""
        rules = self.rules
        watched = presences(
            session,
            rules.offline_kinds,
            now=now,
            listening_since=since,
            shortest_silence=rules.shortest_silence,
        )
        sites = self._owned_sites(session)
        if sites is not None:
            watched = [p for p in watched if p.device.site_id in sites]
        return [replace(p, device=self._place(session, p.device)) for p in watched]

    def reload_if_changed(self) -> bool:
        """Re-read the rules file if it changed; a bad file is logged and the old rules stay."""
        signature = _signature(self.path)
        if signature == self._signature:
            return False
        self._signature = signature
        try:
            rules = load_rules(self.path)
        except ConfigError as exc:
            log.error("rules: the changed file is refused, the running rules stay: %s", exc)
            return False
        self.engine.use(rules)
        log.info("rules: reloaded %d rules from %s", len(rules.rules), self.path)
        return True

    # ------------------------------------------------------------ state

    def _resume(self, session: Session) -> None:
        key = f"rules-runtime-{id(self)}"
        if not session.info.get(key):
            session.info[key] = True
            event.listen(session, "after_rollback", self._forget)
        if self._loaded:
            return
        snapshot: Snapshot = {}
        self._rows = {}
        query = select(RuleState.id, RuleState.rule_id, RuleState.key, RuleState.data)
        sites = self._owned_sites(session)
        if sites is not None:
            query = query.where(_states_of(sorted(sites)))
        for row_id, rule_id, key, data in session.execute(query):
            snapshot.setdefault(rule_id, {})[key] = data
            self._rows[(rule_id, key)] = row_id
        self.engine = Engine(self.engine.rules, snapshot)  # drops state no rule fits: saved next
        self._loaded = True

    def _forget(self, _session: Session) -> None:
        self._loaded = False

    def _owned_sites(self, session: Session) -> set[int] | None:
        """Ids of the sites this runtime serves; None: every site (no partition, or 1/1)."""
        if self.partition is None or self.partition.count == 1:
            return None
        return {site_id for site_id, _ in owned_sites(session, self.partition)}

    def _save(self, session: Session, now: datetime) -> None:
        """Write the engine's changes: updates and deletes by id, new rows as one upsert.

        A new row is an upsert so two processes writing one (rule, key) (a hand-over between
        workers) never fail the batch on the unique key; the later write wins.
        """
        updates: list[dict[str, Any]] = []
        deletes: list[int] = []
        added: list[dict[str, Any]] = []
        for (rule_id, key), data in self.engine.take_changes().items():
            row_id = self._rows.get((rule_id, key))
            if data is None:
                if row_id is not None:
                    deletes.append(row_id)
                    del self._rows[(rule_id, key)]
            elif row_id is None:
                added.append({"rule_id": rule_id, "key": key, "data": data, "updated_at": now})
            else:
                updates.append({"id": row_id, "data": data, "updated_at": now})
        if updates:
            session.execute(update(RuleState), sorted(updates, key=lambda row: row["id"]))
        if deletes:
            session.execute(delete(RuleState).where(RuleState.id.in_(deletes)))
        if added:
            added.sort(key=lambda row: (row["rule_id"], row["key"]))  # one lock order for all
            inserted = session.execute(_upsert(session), added)
            self._rows.update(((rule_id, key), row_id) for rule_id, key, row_id in inserted)

    # ------------------------------------------------------------ devices

    def _place(self, session: Session, device: DeviceInfo) -> DeviceInfo:
        """The device with its building code and site timezone, for scopes and schedules.

        Ingest hands the same `DeviceInfo` object for a device message after message, so the
        placed copy is kept by that object's identity: one dict lookup a message.
        """
        source, placed = self._placed.get(device.id, (None, device))
        if source is device:
            return placed
        if device.id not in self._places:  # a device new to this process: read them all once
            self._places = _lookup_places(session)
        building, timezone = self._places.get(device.id, ("", "Asia/Shanghai"))
        placed = replace(device, building=building, timezone=timezone)
        self._placed[device.id] = (device, placed)
        return placed


def _states_of(site_ids: list[int]) -> ColumnElement[bool]:
    """Rule states of these sites: keyed by one of their devices, or (composite rules) by a
    location where one of their devices is."""
    theirs = Device.site_id.in_(site_ids)
    devices = select(cast(Device.id, String)).where(theirs)  # Checker.state_key: the device id
    location = literal(LOCATION_PREFIX) + cast(Device.site_id, String) + ":" + Device.location
    locations = select(location).where(theirs)
    return or_(RuleState.key.in_(devices), RuleState.key.in_(locations))


_STATES = RuleState.__table__
assert isinstance(_STATES, Table)


def _upsert_statement(statement: postgresql.Insert | sqlite.Insert) -> Executable:
    """INSERT ... ON CONFLICT (rule_id, key) DO UPDATE, returning (rule_id, key, id)."""
    return statement.on_conflict_do_update(
        index_elements=[_STATES.c.rule_id, _STATES.c.key],
        set_={"data": statement.excluded.data, "updated_at": statement.excluded.updated_at},
    ).returning(_STATES.c.rule_id, _STATES.c.key, _STATES.c.id)


_UPSERTS = {
    "postgresql": _upsert_statement(postgresql.insert(_STATES)),
    "sqlite": _upsert_statement(sqlite.insert(_STATES)),
}


def _upsert(session: Session) -> Executable:
    """The upsert for the session's database; one constant statement each, compiled once."""
    dialect = session.get_bind().dialect.name
    if dialect not in _UPSERTS:
        raise ConfigError(f"rule state needs SQLite or PostgreSQL, not {dialect}")
    return _UPSERTS[dialect]


def _lookup_places(session: Session) -> dict[int, tuple[str, str]]:
    """Every device's building code (its own, or its home's) and site timezone, in one query."""
    own, of_home = aliased(Building), aliased(Building)
    rows = session.execute(
        select(Device.id, own.code, of_home.code, Site.timezone)
        .select_from(Device)
        .join(Site, Site.id == Device.site_id)
        .outerjoin(own, own.id == Device.building_id)
        .outerjoin(Home, Home.id == Device.home_id)
        .outerjoin(of_home, of_home.id == Home.building_id)
    )
    return {device_id: (b1 or b2 or "", tz) for device_id, b1, b2, tz in rows}


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)
