"""The device list and detail: state as the hub detects it, last values, commands, placement."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx2
from sqlalchemy import select

from adapters.mqtt.subscriber import ReceivedMessage
from hub import live_visibility
from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import CommandStatus, DeviceKind
from hub.services.site import LoadResult
from hub.storage.models import Alert, Device, DeviceCommand, User
from hub.worker import HubWorker
from tests.api.conftest import PNG, RaiseAlert, live_feed, receive
from tests.conftest import ApiClient

PREFIX = "devices-api-test"


def _ok(response: object, status: int = 200) -> Any:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    return response.json()


def _status(response: object) -> int:
    assert isinstance(response, httpx2.Response)
    return response.status_code


def _worker(context: HubContext) -> HubWorker:
    """The real worker (default rules: device-offline after 3 silent heartbeats), listening."""
    worker = HubWorker(
        context, "mqtt://127.0.0.1:1", context.settings.rules_file, topic_prefix=PREFIX
    )
    worker._connection(True)  # as when subscribed: silence counts from now
    return worker


def _telemetry(worker: HubWorker, clock: FakeClock, device: str, **values: float) -> None:
    body = {"ts": int(clock.now().timestamp() * 1000), "values": values}
    topic = f"{PREFIX}/green-garden/{device}/telemetry"
    worker.handle_batch([ReceivedMessage(topic, json.dumps(body).encode())])


def _by_code(api: ApiClient, **query: str) -> dict[str, dict[str, Any]]:
    found = _ok(api.get("/api/v1/devices", as_user="operator", params=query))
    return {d["code"]: d for d in found}


def _device_id(context: HubContext, code: str) -> int:
    with context.db.session() as session:
        return session.scalars(select(Device.id).where(Device.code == code)).one()


def test_the_list_shows_state_last_seen_and_last_values(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    before = _by_code(api)
    assert len(before) == 12 and {d["state"] for d in before.values()} == {"unknown"}
    worker = _worker(context)
    _telemetry(worker, clock, "pump-1", pressure_bar=2.5)
    clock.advance(timedelta(seconds=30))
    _telemetry(worker, clock, "pump-1", pressure_bar=2.75, current_a=4.1)
    pump = _by_code(api)["pump-1"]
    assert (pump["state"], pump["online"]) == ("normal", True)
    assert pump["last_seen_at"] is not None
    assert [(v["metric"], v["value"]) for v in pump["last_values"]] == [
        ("current_a", "4.1"),
        ("pressure_bar", "2.75"),
    ]
    assert pump["location"] == "地下泵房 Basement pump room"


def test_filters_by_estate_building_kind_state_and_search(
    api: ApiClient, context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    _telemetry(_worker(context), clock, "gate-north", open=0)
    assert set(_by_code(api, kind="water_meter")) == {"wm-b1-101", "wm-b1-102", "wm-b2-201"}
    assert set(_by_code(api, state="normal")) == {"gate-north"}
    assert set(_by_code(api, search="PUMP")) == {"pump-1"}
    assert set(_by_code(api, search="北门")) == {"gate-north", "cpr-north"}
    assert set(_by_code(api, site_id=str(site.site_id))) == set(_by_code(api))
    assert _by_code(api, site_id="999") == {}
    b2 = _ok(api.get("/api/v1/sites", as_user="operator"))[0]["buildings"][1]
    assert b2["code"] == "B2"
    assert set(_by_code(api, building_id=str(b2["id"]))) == {
        "smoke-b2-hall",
        "em-b2-201",
        "wm-b2-201",
    }
    assert _status(api.get("/api/v1/devices?state=broken", as_user="operator")) == 422


def test_a_silent_device_turns_offline_and_the_feed_says_so(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    worker = _worker(context)
    _telemetry(worker, clock, "leak-b1-101", water_leak=0)
    leak = _device_id(context, "leak-b1-101")
    with live_feed(api, api.token("operator")) as ws:
        assert receive(ws)["kind"] == "snapshot"
        clock.advance(timedelta(seconds=3 * 60 + 1))  # heartbeat 60 s, the rule allows 3
        worker.tick_once(clock.now())
        kinds = {}
        while "device.updated" not in kinds:
            message = receive(ws)
            kinds[message["kind"]] = message["data"]
    assert kinds["device.updated"]["id"] == leak and kinds["device.updated"]["online"] is False
    detail = _ok(api.get(f"/api/v1/devices/{leak}", as_user="operator"))
    assert (detail["state"], detail["online"]) == ("offline", False)
    assert [a["title"] for a in detail["open_alerts"]] == ["设备离线 Device offline"]
    assert [o["title"] for o in detail["open_work_orders"]] == [
        "设备离线 Device offline: 厨房漏水传感器 Kitchen leak sensor"
    ]
    _telemetry(worker, clock, "leak-b1-101", water_leak=0)  # back
    assert _by_code(api)["leak-b1-101"]["state"] == "normal"


def test_device_events_reach_exactly_the_roles_that_may_read_devices(
    api: ApiClient, context: HubContext
) -> None:
    data = {"id": _device_id(context, "pump-1"), "online": False}
    accounts = ("admin", "operator", "tech", "guard", "finance", "service", "owner101")
    rest = {
        name: _status(api.get(f"/api/v1/devices/{data['id']}", as_user=name)) == 200
        for name in accounts
    }
    with context.db.session() as session:
        users = session.scalars(select(User).where(User.username.in_(accounts)))
        feed = {
            u.username: live_visibility.may_see(session, u, "device.updated", data) for u in users
        }
    assert feed == rest and rest["operator"] and not rest["guard"]


def test_an_alarm_and_a_silent_gateway_colour_the_state(
    api: ApiClient, context: HubContext, raise_leak: RaiseAlert, clock: FakeClock
) -> None:
    worker = _worker(context)
    _telemetry(worker, clock, "leak-b1-101", water_leak=0)
    _telemetry(worker, clock, "leak-b1-102", water_leak=0)
    alert = raise_leak()
    with context.db.session() as session:
        first = session.scalars(select(Device).where(Device.code == "leak-b1-101")).one()
        session.get(Alert, alert["id"]).device_id = first.id  # type: ignore[union-attr]
        gateway = Device(
            site_id=first.site_id,
            code="gw-1",
            kind=DeviceKind.GATEWAY,
            name="网关 Gateway",
            online=False,
        )
        session.add(gateway)
        session.flush()
        second = session.scalars(select(Device).where(Device.code == "leak-b1-102")).one()
        second.gateway_id = gateway.id
    states = {code: d["state"] for code, d in _by_code(api).items()}
    assert (states["leak-b1-101"], states["leak-b1-102"], states["gw-1"]) == (
        "alarm",
        "suppressed",
        "offline",
    )


def test_24h_readings_for_the_chart(api: ApiClient, context: HubContext, clock: FakeClock) -> None:
    worker = _worker(context)
    _telemetry(worker, clock, "pump-1", pressure_bar=1.0)
    clock.advance(timedelta(hours=23))
    _telemetry(worker, clock, "pump-1", pressure_bar=2.0)
    clock.advance(timedelta(hours=2))
    _telemetry(worker, clock, "pump-1", pressure_bar=3.0)
    pump = _device_id(context, "pump-1")
    [series] = _ok(api.get(f"/api/v1/devices/{pump}", as_user="admin"))["readings_24h"]
    assert series["metric"] == "pressure_bar"
    assert series["values"] == ["2", "3"] and len(series["ts"]) == 2  # the first is 25 h old


def test_an_operator_sends_a_command_the_device_accepts(
    api: ApiClient, context: HubContext
) -> None:
    gate = _device_id(context, "gate-north")
    detail = _ok(api.get(f"/api/v1/devices/{gate}", as_user="operator"))
    assert [c["command"] for c in detail["commands"]] == ["open_gate", "close_gate"]
    sent = _ok(
        api.post(
            f"/api/v1/devices/{gate}/commands", as_user="operator", json={"command": "open_gate"}
        ),
        201,
    )
    assert (sent["command"], sent["status"]) == ("open_gate", "pending")
    with context.db.session() as session:
        row = session.scalars(select(DeviceCommand)).one()
        assert (row.status, row.requested_by_id is not None) == (CommandStatus.PENDING, True)
    again = _ok(api.get(f"/api/v1/devices/{gate}", as_user="operator"))["recent_commands"]
    assert [c["command_id"] for c in again] == [sent["command_id"]]
    wrong = api.post(f"/api/v1/devices/{gate}/commands", as_user="admin", json={"command": "rm"})
    assert _status(wrong) == 422
    meter = _device_id(context, "em-b1-101")
    none = api.post(
        f"/api/v1/devices/{meter}/commands", as_user="admin", json={"command": "open_gate"}
    )
    assert _status(none) == 422


def test_other_roles_are_refused_and_unknown_devices_are_404(
    api: ApiClient, context: HubContext
) -> None:
    gate = _device_id(context, "gate-north")
    for user in ("guard", "tech", "service", "finance", "owner101"):
        assert _status(api.get("/api/v1/devices", as_user=user)) == 403, user
        assert _status(api.get(f"/api/v1/devices/{gate}", as_user=user)) == 403, user
        body = {"command": "open_gate"}
        assert _status(api.post(f"/api/v1/devices/{gate}/commands", as_user=user, json=body)) == 403
    assert _status(api.get("/api/v1/devices/999999", as_user="operator")) == 404
    body = {"command": "open_gate"}
    assert (
        _status(api.post("/api/v1/devices/999999/commands", as_user="operator", json=body)) == 404
    )


def _put(api: ApiClient, path: str, user: str, body: dict[str, Any]) -> httpx2.Response:
    return api.client.put(path, headers=api.headers(user), json=body)


def test_an_admin_places_a_device_on_a_plan(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    files = {"file": ("plan.png", PNG, "image/png")}
    b2 = _ok(api.get("/api/v1/sites", as_user="admin"))[0]["buildings"][1]
    form = {"site_id": str(site.site_id), "name": "2号楼 B2", "building_id": str(b2["id"])}
    plan = _ok(api.post("/api/v1/site-plans", as_user="admin", data=form, files=files), 201)
    gate = _device_id(context, "gate-north")
    path = f"/api/v1/devices/{gate}/placement"
    placed = _ok(_put(api, path, "admin", {"plan_id": plan["id"], "x": 0.25, "y": 0.75}))
    assert placed["placement"] == {"plan_id": plan["id"], "x": 0.25, "y": 0.75}
    on_plan = _by_code(api, plan_id=str(plan["id"]))
    assert set(on_plan) == {"gate-north"}
    assert (
        _put(api, path, "operator", {"plan_id": plan["id"], "x": 0.1, "y": 0.1}).status_code == 403
    )
    assert _put(api, path, "admin", {"plan_id": plan["id"], "x": 1.5, "y": 0.1}).status_code == 422
    assert _put(api, path, "admin", {"plan_id": 999999, "x": 0.1, "y": 0.1}).status_code == 404
    assert (
        _put(api, "/api/v1/devices/999999/placement", "admin", {"plan_id": None}).status_code == 404
    )
    off = _ok(_put(api, path, "admin", {"plan_id": None}))
    assert off["placement"] is None
