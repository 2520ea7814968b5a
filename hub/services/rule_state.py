"""The rules engine in the hub: its state kept in the database, its file reloaded when changed.

`RulesRuntime` wraps the pure `rules.engine.Engine`. Each call writes the state the engine
changed into the caller's session, so state and actions commit (or roll back) together: after a
restart the engine resumes from the table and nothing fires twice or goes missing. A rolled
back transaction makes the runtime forget its memory and re-read the table on the next call.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session, aliased

from hub.errors import ConfigError
from hub.ingest import presences
from hub.storage.models import Building, Device, Home, RuleState, Site
from rules.actions import AnyAction
from rules.compile import RuleSet, load_rules
from rules.engine import Engine, Snapshot
from rules.facts import DeviceInfo, Observation, Presence

log = logging.getLogger(__name__)


class RulesRuntime:
    """One rules file and its engine; call from one thread (the worker's database thread)."""

    def __init__(self, rules_path: Path) -> None:
        self.path = rules_path
        self._signature = _signature(rules_path)
        self.engine = Engine(load_rules(rules_path))  # a bad file stops the start, with its reason
        self._loaded = False
        self._rows: dict[tuple[str, str], int] = {}  # (rule id, key) -> RuleState id
        self._places: dict[int, tuple[str, str]] = {}  # device id -> (building code, timezone)

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

    def presences(self, session: Session) -> list[Presence]:
        """The devices the offline rules watch, with the building and timezone scopes need."""
        watched = presences(session, self.rules.offline_kinds)
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
        for row in session.scalars(select(RuleState)):
            snapshot.setdefault(row.rule_id, {})[row.key] = row.data
            self._rows[(row.rule_id, row.key)] = row.id
        self.engine = Engine(self.engine.rules, snapshot)  # drops state no rule fits: saved next
        self._loaded = True

    def _forget(self, _session: Session) -> None:
        self._loaded = False

    def _save(self, session: Session, now: datetime) -> None:
        updates: list[dict[str, Any]] = []
        deletes: list[int] = []
        added: list[tuple[tuple[str, str], RuleState]] = []
        for (rule_id, key), data in self.engine.take_changes().items():
            row_id = self._rows.get((rule_id, key))
            if data is None:
                if row_id is not None:
                    deletes.append(row_id)
                    del self._rows[(rule_id, key)]
            elif row_id is None:
                row = RuleState(rule_id=rule_id, key=key, data=data, updated_at=now)
                session.add(row)
                added.append(((rule_id, key), row))
            else:
                updates.append({"id": row_id, "data": data, "updated_at": now})
        if updates:
            session.execute(update(RuleState), updates)
        if deletes:
            session.execute(delete(RuleState).where(RuleState.id.in_(deletes)))
        if added:
            session.flush()
            self._rows.update((key, row.id) for key, row in added)

    # ------------------------------------------------------------ devices

    def _place(self, session: Session, device: DeviceInfo) -> DeviceInfo:
        """The device with its building code and site timezone, for scopes and schedules."""
        if device.id not in self._places:  # a device new to this process: read them all once
            self._places = _lookup_places(session)
        building, timezone = self._places.get(device.id, ("", "Asia/Shanghai"))
        return replace(device, building=building, timezone=timezone)


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
