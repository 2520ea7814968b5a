"""The command audit view: every command with who or which rule asked, and its times."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2
from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services import commands
from hub.services.site import LoadResult
from hub.storage.models import Device
from tests.conftest import ApiClient

C = "/api/v1/commands"


def _ok(response: httpx2.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def _device(context: HubContext, code: str) -> Device:
    with context.db.session() as session:
        device = session.scalars(select(Device).where(Device.code == code)).one()
        session.expunge(device)
        return device


def _send(api: ApiClient, device_id: int, command: str, user: str = "operator") -> Any:
    path = f"/api/v1/devices/{device_id}/commands"
    response = api.post(path, as_user=user, json={"command": command})
    assert response.status_code == 201, response.text
    return response.json()


def _stamp(clock: FakeClock) -> str:
    return clock.now().isoformat().replace("+00:00", "Z")


def test_every_command_with_who_asked_and_how_it_ended(
    api: ApiClient, context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    gate, leak = _device(context, "gate-north"), _device(context, "leak-b1-101")
    asked = _stamp(clock)
    opened = _send(api, gate.id, "open_gate")
    closed = _send(api, gate.id, "close_gate", user="admin")
    with context.db.session() as session:
        valve = commands.request(
            session,
            session.get(Device, leak.id),  # type: ignore[arg-type]
            "close_valve",
            params={"valve": 1},
            reason="leak detected",
            rule_id="leak-close-valve",
            now=clock.now(),
        )
        valve_id = valve.command_id
        for command_id in (opened["command_id"], closed["command_id"], valve_id):
            commands.mark_sent(session, command_id, now=clock.now())
        session.commit()
    clock.advance(timedelta(seconds=5))
    acked = _stamp(clock)
    with context.db.session() as session:
        commands.acknowledge(session, gate.id, opened["command_id"], now=clock.now())
        session.commit()
    clock.advance(timedelta(seconds=30))
    with context.db.session() as session:
        commands.expire(session, now=clock.now())
        session.commit()

    page = _ok(api.get(C, as_user="operator"))
    assert page["next_before_id"] is None
    rows = {row["command"]: row for row in page["items"]}
    assert [row["command"] for row in page["items"]] == ["close_valve", "close_gate", "open_gate"]
    assert {k: rows["open_gate"][k] for k in ("device_code", "requested_by", "rule_id")} == {
        "device_code": "gate-north",
        "requested_by": "operator",
        "rule_id": None,
    }
    assert (rows["open_gate"]["status"], rows["open_gate"]["acknowledged_at"]) == (
        "acknowledged",
        acked,
    )
    assert (rows["open_gate"]["created_at"], rows["open_gate"]["sent_at"]) == (asked, asked)
    valve_row = rows["close_valve"]
    assert (valve_row["requested_by"], valve_row["rule_id"], valve_row["params"]) == (
        None,
        "leak-close-valve",
        {"valve": 1},
    )
    assert valve_row["status"] == "failed" and valve_row["failed_at"] == _stamp(clock)
    assert valve_row["error"] == "no acknowledgement within 30 s"
    assert valve_row["alert_id"] is not None and valve_row["device_name"] == leak.name

    def _commands(**query: str) -> list[str]:
        return [row["command"] for row in _ok(api.get(C, as_user="admin", params=query))["items"]]

    assert _commands(device_id=str(gate.id)) == ["close_gate", "open_gate"]
    assert _commands(status="failed") == ["close_valve", "close_gate"]
    assert _commands(who="leak-close-valve") == ["close_valve"]
    assert _commands(who="admin") == ["close_gate"]
    later = (clock.now() + timedelta(seconds=1)).isoformat()
    assert _commands(**{"from": later}) == []
    assert _commands(**{"to": later}) == ["close_valve", "close_gate", "open_gate"]
    first = _ok(api.get(C, as_user="admin", params={"limit": "2"}))
    assert [r["command"] for r in first["items"]] == ["close_valve", "close_gate"]
    rest = _ok(api.get(C, as_user="admin", params={"before_id": str(first["next_before_id"])}))
    assert [r["command"] for r in rest["items"]] == ["open_gate"]


def test_other_roles_and_bad_filters_are_refused(api: ApiClient, site: LoadResult) -> None:
    for user in ("tech", "guard", "finance", "service", "owner101"):
        assert api.get(C, as_user=user).status_code == 403, user
    reversed_range = {"from": "2026-11-10T02:00:00Z", "to": "2026-11-10T01:00:00Z"}
    response = api.get(C, as_user="operator", params=reversed_range)
    assert (response.status_code, response.json()["code"]) == (422, "bad_range")
    for query in ({"status": "lost"}, {"limit": "0"}, {"from": "2026-11-10T02:00:00"}):
        assert api.get(C, as_user="operator", params=query).status_code == 422, query
