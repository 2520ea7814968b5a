"""The worker with a duration rule: the timer fires by itself, also after a hub restart."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from adapters.mqtt.subscriber import ReceivedMessage
from hub.clock import FakeClock
from hub.context import HubContext
from hub.services.site import LoadResult
from hub.storage.models import Alert
from hub.worker import HubWorker
from tests.rules.helpers import write_rules

PREFIX = "rules-timer-test"


def _worker(context: HubContext, rules: Path) -> HubWorker:
    return HubWorker(context, "mqtt://127.0.0.1:1", rules, topic_prefix=PREFIX, tick_seconds=3600)


def _alerts(context: HubContext) -> list[str]:
    with context.db.session() as session:
        return [a.reason for a in session.scalars(select(Alert).where(Alert.rule_id == "low-2min"))]


def test_a_restarted_worker_fires_the_timer_on_time_and_once(
    context: HubContext, clock: FakeClock, site: LoadResult, tmp_path: Path
) -> None:
    rule = {"id": "low-2min", "kind": "duration", "device_kind": "pump"}
    rules = write_rules(
        tmp_path / "rules.yaml", {**rule, "metric": "pressure_bar", "below": 1.5, "for_s": 120}
    )
    first = _worker(context, rules)
    ms = int(clock.now().timestamp() * 1000)
    payload = f'{{"ts": {ms}, "values": {{"pressure_bar": 1.1}}}}'.encode()
    first.handle_batch([ReceivedMessage(f"{PREFIX}/green-garden/pump-1/telemetry", payload)])
    clock.advance(timedelta(seconds=60))
    first.tick_once(clock.now())
    assert _alerts(context) == []

    second = _worker(context, rules)  # the hub restarts; the pump sends nothing more
    clock.advance(timedelta(seconds=59))
    second.tick_once(clock.now())
    assert _alerts(context) == []
    clock.advance(timedelta(seconds=1))
    second.tick_once(clock.now())
    assert [r.split(" (since")[0] for r in _alerts(context)] == [
        "pressure_bar = 1.1 < 1.5 for 120 s"
    ]
    clock.advance(timedelta(minutes=10))
    _worker(context, rules).tick_once(clock.now())
    assert len(_alerts(context)) == 1
