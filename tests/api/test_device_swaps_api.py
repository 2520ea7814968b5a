"""Retiring and replacing devices: no offline alarms and no readings from a retired one, and a
meter's swap recorded with both registers."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx2
from sqlalchemy import select

from adapters.mqtt.subscriber import ReceivedMessage
from hub.clock import FakeClock
from hub.context import HubContext
from hub.services.site import LoadResult
from hub.storage.models import Alert, Device, Meter, Reading
from hub.worker import HubWorker
from tests.api.conftest import live_feed, receive
from tests.conftest import ApiClient

PREFIX = "device-swaps-test"
D = "/api/v1/devices"


def _ok(response: httpx2.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _refused(response: httpx2.Response, status: int, code: str) -> None:
    assert (response.status_code, response.json()["code"]) == (status, code), response.text


def _worker(context: HubContext) -> HubWorker:
    worker = HubWorker(
        context, "mqtt://127.0.0.1:1", context.settings.rules_file, topic_prefix=PREFIX
    )
    worker._connection(True)
    return worker


def _telemetry(worker: HubWorker, clock: FakeClock, device: str, **values: float) -> None:
    body = {"ts": int(clock.now().timestamp() * 1000), "values": values}
    topic = f"{PREFIX}/green-garden/{device}/telemetry"
    worker.handle_batch([ReceivedMessage(topic, json.dumps(body).encode())])


def _id(context: HubContext, code: str) -> int:
    with context.db.session() as session:
        return session.scalars(select(Device.id).where(Device.code == code)).one()


def test_a_retired_device_raises_no_offline_alarm_and_its_readings_are_dead_letters(
    api: ApiClient, context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    worker = _worker(context)
    _telemetry(worker, clock, "leak-b1-101", water_leak=0)
    _telemetry(worker, clock, "leak-b1-102", water_leak=0)
    leak = _id(context, "leak-b1-101")
    body = {"reason": "损坏 broken"}
    with live_feed(api, api.token("operator")) as ws:
        assert receive(ws)["kind"] == "snapshot"
        retired = _ok(api.post(f"{D}/{leak}/retire", as_user="admin", json=body))
        message = receive(ws)
    assert (message["kind"], message["data"]["id"]) == ("device.updated", leak)
    assert (retired["state"], retired["retired_reason"], retired["online"]) == (
        "retired",
        "损坏 broken",
        None,
    )
    assert retired["retired_at"] == clock.now().isoformat().replace("+00:00", "Z")

    clock.advance(timedelta(seconds=3 * 60 + 1))  # both silent past the offline rule's limit
    worker.tick_once(clock.now())
    with context.db.session() as session:
        alarmed = set(session.scalars(select(Alert.device_id).where(Alert.rule_id.is_not(None))))
    other = _id(context, "leak-b1-102")
    assert other in alarmed and leak not in alarmed
    assert _ok(api.get(f"{D}/{leak}", as_user="operator"))["state"] == "retired"

    _telemetry(_worker(context), clock, "leak-b1-101", water_leak=1)  # a worker started anew
    with context.db.session() as session:
        stored = session.scalars(select(Reading.value).where(Reading.device_id == leak)).all()
    assert len(stored) == 1  # only the reading from before it was retired
    [letter] = _ok(api.get("/api/v1/dead-letters", as_user="operator"))["items"]
    assert letter["topic"].endswith("/leak-b1-101/telemetry")
    assert letter["reason"].startswith("device 'leak-b1-101' at site 'green-garden' is retired")

    _refused(api.post(f"{D}/{leak}/retire", as_user="admin", json=body), 409, "device_retired")
    command = api.post(f"{D}/{_id(context, 'gate-north')}/retire", as_user="admin", json=body)
    assert command.status_code == 200
    gate = _id(context, "gate-north")
    sent = api.post(f"{D}/{gate}/commands", as_user="operator", json={"command": "open_gate"})
    _refused(sent, 409, "device_retired")
    audit = _ok(api.get("/api/v1/audit", as_user="admin", params={"action": "retire_device"}))
    assert [(e["target"], e["username"]) for e in audit["items"]] == [
        (f"device:{gate}", "admin"),
        (f"device:{leak}", "admin"),
    ]


def test_a_meter_swap_keeps_both_registers(
    api: ApiClient, context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    worker = _worker(context)
    _telemetry(worker, clock, "em-b1-101", energy_kwh=1234.5)
    old = _id(context, "em-b1-101")
    path = f"{D}/{old}/replace"
    swap = {"code": "em-b1-101-2", "reason": "表计故障 faulty"}
    _refused(api.post(path, as_user="admin", json=swap), 422, "meter_readings_required")
    low = {**swap, "final_reading": "1234.4", "initial_reading": "0"}
    _refused(api.post(path, as_user="admin", json=low), 422, "final_below_last")
    taken = {**swap, "code": "em-b1-102", "final_reading": "1240", "initial_reading": "0"}
    _refused(api.post(path, as_user="admin", json=taken), 409, "device_code_taken")
    clock.advance(timedelta(hours=1))
    good = {**swap, "final_reading": "1240.25", "initial_reading": "0.5"}
    made = _ok(api.post(path, as_user="admin", json=good), 201)
    new = made["new_device_id"]
    assert {k: made[k] for k in ("old_code", "new_code", "by", "metric", "reason")} == {
        "old_code": "em-b1-101",
        "new_code": "em-b1-101-2",
        "by": "admin",
        "metric": "energy_kwh",
        "reason": "表计故障 faulty",
    }
    assert (made["final_reading"], made["initial_reading"]) == ("1240.25", "0.5")
    assert made["at"] == clock.now().isoformat().replace("+00:00", "Z")

    assert _ok(api.get(f"{D}/{old}/swaps", as_user="operator")) == [made]
    assert _ok(api.get(f"{D}/{new}/swaps", as_user="admin")) == [made]
    before, after = (_ok(api.get(f"{D}/{i}", as_user="operator")) for i in (old, new))
    assert (before["state"], before["placement"]) == ("retired", None)
    assert before["retired_reason"] == "replaced by em-b1-101-2: 表计故障 faulty"
    assert (after["kind"], after["home_id"], after["name"]) == (
        "electricity_meter",
        before["home_id"],
        before["name"],
    )
    assert after["placement"] == {"plan_id": after["placement"]["plan_id"], "x": 0.47, "y": 0.2}
    with context.db.session() as session:
        readings = {
            r.id: (r.device_id, r.metric, r.value, r.source)
            for r in session.scalars(select(Reading).where(Reading.source == "swap"))
        }
        meters = session.scalars(select(Meter.device_id).where(Meter.home_id == after["home_id"]))
        assert new in set(meters)
    assert readings[made["final_reading_id"]][:3] == (old, "energy_kwh", 1240.25)
    assert readings[made["initial_reading_id"]][:3] == (new, "energy_kwh", 0.5)

    _telemetry(_worker(context), clock, "em-b1-101-2", energy_kwh=0.75)  # the new one reports
    assert _ok(api.get(f"{D}/{new}", as_user="operator"))["state"] == "normal"
    audit = _ok(api.get("/api/v1/audit", as_user="admin", params={"action": "replace_device"}))
    assert [e["target"] for e in audit["items"]] == [f"device:{old}"]


def test_a_device_that_is_not_a_meter_is_swapped_without_readings(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    pump = _id(context, "pump-1")
    path = f"{D}/{pump}/replace"
    wrong = {"code": "pump-1b", "final_reading": "1", "initial_reading": "0"}
    _refused(api.post(path, as_user="admin", json=wrong), 422, "not_a_meter")
    made = _ok(api.post(path, as_user="admin", json={"code": "pump-1b", "name": "新水泵"}), 201)
    assert (made["metric"], made["final_reading"], made["final_reading_id"]) == (None, None, None)
    assert _ok(api.get(f"{D}/{made['new_device_id']}", as_user="admin"))["name"] == "新水泵"
    again = api.post(path, as_user="admin", json={"code": "pump-1c"})
    _refused(again, 409, "device_retired")


def test_only_admins_retire_or_replace(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    pump = _id(context, "pump-1")
    for user in ("operator", "tech", "guard", "finance", "service", "owner101"):
        retire = api.post(f"{D}/{pump}/retire", as_user=user, json={"reason": "x"})
        replace = api.post(f"{D}/{pump}/replace", as_user=user, json={"code": "p2"})
        assert (retire.status_code, replace.status_code) == (403, 403), user
    for user in ("tech", "guard", "finance", "service", "owner101"):
        assert api.get(f"{D}/{pump}/swaps", as_user=user).status_code == 403, user
    assert api.post(f"{D}/999999/retire", as_user="admin", json={"reason": "x"}).status_code == 404
    assert api.get(f"{D}/999999/swaps", as_user="admin").status_code == 404
    assert api.post(f"{D}/{pump}/retire", as_user="admin", json={"reason": ""}).status_code == 422
    for code in ("a/b", "p+", "p #", ""):  # a code is a topic level
        bad = api.post(f"{D}/{pump}/replace", as_user="admin", json={"code": code})
        assert bad.status_code == 422, code
    negative = {"code": "p2", "final_reading": "-1", "initial_reading": "0"}
    assert api.post(f"{D}/{pump}/replace", as_user="admin", json=negative).status_code == 422
    assert _ok(api.get(f"{D}/{pump}", as_user="admin"))["retired_at"] is None
