"""The rules runtime through the database: a restart resumes timers, a rollback forgets,
scopes see buildings, and a changed rules file is picked up unless it is bad."""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.context import HubContext
from hub.ingest import device_info
from hub.services.automation import apply_actions
from hub.services.rule_state import RulesRuntime
from hub.services.site import LoadResult
from hub.storage.models import Alert, Device, RuleState
from rules.facts import DeviceInfo, Observation, ReadingFact
from tests.rules.helpers import write_rules

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
