"""Patrol through the API: a guard starts the night round, checks in by typed code and by a
photo of the QR label; the control room sees the scans; other roles are refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import cv2
import httpx2
import numpy as np

from adapters.camera.qr import label_png
from hub.clock import FakeClock
from hub.context import HubContext
from tests.conftest import ApiClient

PATROL = "/api/v1/patrol"


def answer(response: object) -> tuple[int, Any]:
    assert isinstance(response, httpx2.Response)
    return response.status_code, response.json()


def status(response: object) -> int:
    assert isinstance(response, httpx2.Response)
    return response.status_code


def photo(data: bytes, name: str = "label.png", kind: str = "image/png") -> dict[str, Any]:
    return {"files": {"photo": (name, data, kind)}}


def test_guard_walks_a_round(api: ApiClient, clock: FakeClock) -> None:
    status, current = answer(api.get(f"{PATROL}/rounds/current", as_user="guard"))
    assert (status, current) == (200, None)
    status, routes = answer(api.get(f"{PATROL}/routes", as_user="guard"))
    assert routes == [{"code": "night", "name": "夜间巡更 Night round"}]

    status, started = answer(
        api.post(f"{PATROL}/rounds", as_user="guard", json={"route_code": "night"})
    )
    assert status == 201, started
    assert [s["checkpoint_code"] for s in started["stops"]] == [
        "CP-NORTH-GATE",
        "CP-B1-LOBBY",
        "CP-PUMP-ROOM",
        "CP-B2-LOBBY",
    ]
    assert started["next_stop"]["due_until"] == "2026-11-10T02:10:00Z"
    again = api.post(f"{PATROL}/rounds", as_user="guard", json={"route_code": "night"})
    assert answer(again)[0] == 409

    clock.advance(timedelta(minutes=3))
    status, scan = answer(
        api.post(f"{PATROL}/scans", as_user="guard", json={"checkpoint_code": " CP-NORTH-GATE "})
    )
    assert status == 201
    assert (scan["in_window"], scan["outcome"], scan["source"]) == (True, "in_window", "phone_code")
    assert scan["message"] == "已打卡 Checked in: 北门 North gate"

    clock.advance(timedelta(minutes=10))  # 13 min: the B1 lobby window (10-20) is open
    status, by_photo = answer(
        api.post(f"{PATROL}/scans/photo", as_user="guard", **photo(label_png("CP-B1-LOBBY")))
    )
    assert status == 201, by_photo
    assert (by_photo["checkpoint_code"], by_photo["in_window"]) == ("CP-B1-LOBBY", True)
    assert by_photo["source"] == "phone_photo"

    status, current = answer(api.get(f"{PATROL}/rounds/current", as_user="guard"))
    assert [s["status"] for s in current["stops"]] == ["scanned", "scanned", "upcoming", "upcoming"]
    assert current["next_stop"]["checkpoint_code"] == "CP-PUMP-ROOM"

    status, late = answer(
        api.post(f"{PATROL}/scans", as_user="guard", json={"checkpoint_code": "CP-NORTH-GATE"})
    )
    assert (late["in_window"], late["outcome"]) == (False, "repeat")

    status, seen = answer(api.get(f"{PATROL}/scans", as_user="operator"))
    assert [(s["checkpoint_code"], s["in_window"], s["guard"]) for s in seen] == [
        ("CP-NORTH-GATE", False, "guard"),
        ("CP-B1-LOBBY", True, "guard"),
        ("CP-NORTH-GATE", True, "guard"),
    ]
    assert answer(api.get(f"{PATROL}/scans", as_user="admin"))[1] == seen
    assert answer(api.get(f"{PATROL}/scans", as_user="guard"))[1] == seen


def test_bad_scans_get_clear_answers(api: ApiClient, context: HubContext, clock: FakeClock) -> None:
    api.post(f"{PATROL}/rounds", as_user="guard", json={"route_code": "night"})
    status, body = answer(
        api.post(f"{PATROL}/scans", as_user="guard", json={"checkpoint_code": "CP-X"})
    )
    assert (status, body["detail"]) == (404, "checkpoint 'CP-X' not found")

    blank = cv2.imencode(".png", np.full((400, 400), 255, np.uint8))[1].tobytes()
    status, body = answer(api.post(f"{PATROL}/scans/photo", as_user="guard", **photo(blank)))
    assert status == 422 and "no QR code could be read" in body["detail"]

    text = photo(b"CP-B1-LOBBY", name="code.txt", kind="text/plain")
    status, body = answer(api.post(f"{PATROL}/scans/photo", as_user="guard", **text))
    assert status == 422 and "JPEG or PNG" in body["detail"]

    big = label_png("CP-B1-LOBBY")  # a readable label, one byte over the limit
    context.settings.upload_max_bytes = len(big) - 1
    status, body = answer(api.post(f"{PATROL}/scans/photo", as_user="guard", **photo(big)))
    assert status == 413 and "upload limit" in body["detail"]

    status, none = answer(api.get(f"{PATROL}/scans", as_user="operator"))
    assert none == []


def test_owners_and_technicians_are_refused(api: ApiClient) -> None:
    label = photo(label_png("CP-B1-LOBBY"))
    body = {"checkpoint_code": "CP-NORTH-GATE"}
    for user in ("owner101", "tech"):
        assert (
            status(api.post(f"{PATROL}/rounds", as_user=user, json={"route_code": "night"})) == 403
        )
        assert status(api.get(f"{PATROL}/rounds/current", as_user=user)) == 403
        assert status(api.get(f"{PATROL}/routes", as_user=user)) == 403
        assert status(api.post(f"{PATROL}/scans", as_user=user, json=body)) == 403
        assert status(api.post(f"{PATROL}/scans/photo", as_user=user, **label)) == 403
        assert status(api.get(f"{PATROL}/scans", as_user=user)) == 403


def test_only_guards_scan_and_start_rounds(api: ApiClient) -> None:
    body = {"checkpoint_code": "CP-NORTH-GATE"}
    for user in ("operator", "admin", "finance"):
        assert (
            status(api.post(f"{PATROL}/rounds", as_user=user, json={"route_code": "night"})) == 403
        )
        assert status(api.post(f"{PATROL}/scans", as_user=user, json=body)) == 403
        assert status(api.get(f"{PATROL}/rounds/current", as_user=user)) == 403
    assert status(api.get(f"{PATROL}/scans", as_user="finance")) == 403


def test_a_guard_sees_only_own_scans(api: ApiClient, context: HubContext) -> None:
    _guard2(api)
    body = {"checkpoint_code": "CP-PUMP-ROOM"}
    assert answer(api.post(f"{PATROL}/scans", as_user="guard2", json=body))[1]["outcome"] == "stray"
    assert answer(api.get(f"{PATROL}/scans", as_user="guard"))[1] == []
    assert len(answer(api.get(f"{PATROL}/scans", as_user="guard2"))[1]) == 1


def _guard2(api: ApiClient) -> None:
    created = api.post(
        "/api/v1/auth/staff",
        as_user="admin",
        json={"username": "guard2", "full_name": "Guard Two", "role": "guard"},
    )
    api.accounts["guard2"] = answer(created)[1]["initial_password"]


def test_the_control_room_sees_todays_rounds_with_missed_and_late_stops(
    api: ApiClient, clock: FakeClock
) -> None:
    api.post(f"{PATROL}/rounds", as_user="guard", json={"route_code": "night"})
    api.post(f"{PATROL}/scans", as_user="guard", json={"checkpoint_code": "CP-NORTH-GATE"})
    clock.advance(timedelta(minutes=21))  # B1 lobby (10-20) closed unscanned
    status, late = answer(
        api.post(f"{PATROL}/scans", as_user="guard", json={"checkpoint_code": "CP-B1-LOBBY"})
    )
    assert (status, late["outcome"]) == (201, "late")
    assert late["expected"]["checkpoint_code"] == "CP-PUMP-ROOM"

    status, rounds = answer(api.get(f"{PATROL}/rounds", as_user="operator"))
    assert status == 200
    (night,) = rounds
    assert (night["guard"], night["route_code"], night["status"]) == (
        "guard",
        "night",
        "in_progress",
    )
    assert (night["scanned"], night["missed"], night["late"]) == (1, 1, 1)
    assert [s["status"] for s in night["stops"]] == ["scanned", "missed", "open", "upcoming"]
    assert night["stops"][1]["late_scan_at"] == "2026-11-10T02:21:00Z"
    assert answer(api.get(f"{PATROL}/rounds", as_user="admin"))[1] == rounds

    clock.advance(timedelta(minutes=30))  # the round is over: still today's
    (ended,) = answer(api.get(f"{PATROL}/rounds", as_user="guard"))[1]
    assert (ended["status"], ended["scanned"], ended["missed"]) == ("ended", 1, 3)
    clock.advance(timedelta(days=1))
    assert answer(api.get(f"{PATROL}/rounds", as_user="operator"))[1] == []


def test_a_scan_out_of_order_counts_and_names_the_skipped_stops(
    api: ApiClient, clock: FakeClock
) -> None:
    api.post(f"{PATROL}/rounds", as_user="guard", json={"route_code": "night"})
    clock.advance(timedelta(minutes=5))
    code, early = answer(
        api.post(f"{PATROL}/scans", as_user="guard", json={"checkpoint_code": "CP-B1-LOBBY"})
    )
    assert (code, early["outcome"], early["skipped"]) == (201, "early", [])
    assert early["expected"]["checkpoint_code"] == "CP-NORTH-GATE"
    clock.advance(timedelta(minutes=6))  # the gate's window closed; B1 lobby is open
    code, skipped = answer(
        api.post(f"{PATROL}/scans", as_user="guard", json={"checkpoint_code": "CP-B1-LOBBY"})
    )
    assert (code, skipped["outcome"], skipped["skipped"]) == (201, "in_window", [1])


def test_a_guard_sees_only_own_rounds(api: ApiClient) -> None:
    _guard2(api)
    api.post(f"{PATROL}/rounds", as_user="guard2", json={"route_code": "night"})
    assert answer(api.get(f"{PATROL}/rounds", as_user="guard"))[1] == []
    (own,) = answer(api.get(f"{PATROL}/rounds", as_user="guard2"))[1]
    assert own["guard"] == "guard2"
    assert len(answer(api.get(f"{PATROL}/rounds", as_user="operator"))[1]) == 1
    for user in ("owner101", "tech", "finance", "service"):
        assert status(api.get(f"{PATROL}/rounds", as_user=user)) == 403, user
