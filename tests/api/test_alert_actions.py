"""What a person does with an alarm: close it with a note (an event alarm has nothing else to
end it), comment, create or link a work order, and read it in full with who did what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import Severity, WorkOrderStatus
from hub.services.site import LoadResult
from hub.storage.models import Reading, WorkOrder
from tests.api.alarm_support import raise_on
from tests.api.conftest import Submit, live_feed, next_of, receive
from tests.conftest import ApiClient

ALERTS = "/api/v1/alerts"
OTHER_ROLES = ("guard", "tech", "finance", "service", "owner101")


def _denied_swipe(context: HubContext) -> dict[str, object]:
    return raise_on(
        context,
        "gate-north",
        severity=Severity.WARNING,
        title="门禁拒绝 Access denied",
        rule_id="access-denied",
    )


def test_an_event_alarm_is_closed_with_a_note_and_leaves_the_open_list(
    api: ApiClient, clock: FakeClock, context: HubContext, site: LoadResult
) -> None:
    swipe = _denied_swipe(context)
    path = f"{ALERTS}/{swipe['id']}/close"
    for user in OTHER_ROLES:
        assert api.post(path, as_user=user, json={"note": "x"}).status_code == 403, user
    assert api.post(path, as_user="operator", json={"note": ""}).status_code == 422
    assert api.post(path, as_user="operator", json={"note": "   "}).status_code == 422
    assert (
        api.post(f"{ALERTS}/999999/close", as_user="operator", json={"note": "x"}).status_code
        == 404
    )

    clock.advance(timedelta(minutes=3))
    closed = api.post(path, as_user="operator", json={"note": "访客卡过期 visitor card expired"})
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["state"] == "cleared_acknowledged" and body["unacknowledged"] is False
    assert (body["acknowledged_by"], body["cleared_by"]) == ("operator", "operator")
    assert [a["id"] for a in api.get(ALERTS, as_user="operator").json()] == []
    assert api.post(path, as_user="admin", json={"note": "again"}).status_code == 409

    history = api.get(f"{ALERTS}/{swipe['id']}", as_user="operator").json()["history"]
    assert [(h["kind"], h["by"]) for h in history] == [("raised", None), ("closed", "operator")]
    assert history[1]["note"] == "访客卡过期 visitor card expired"


def test_a_cleared_alarm_and_an_acknowledged_one_can_be_closed(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    leak = raise_on(context, "leak-b1-101")
    pump = raise_on(context, "pump-1", severity=Severity.MAJOR, rule_id="pump-low")
    api.post(f"{ALERTS}/{pump['id']}/acknowledge", as_user="operator")
    for alert in (leak, pump):
        answer = api.post(f"{ALERTS}/{alert['id']}/close", as_user="admin", json={"note": "ok"})
        assert answer.json()["state"] == "cleared_acknowledged"
    acked_first = api.get(f"{ALERTS}/{pump['id']}", as_user="admin").json()
    assert acked_first["alert"]["acknowledged_by"] == "operator"  # closing keeps who acked
    assert [h["kind"] for h in acked_first["history"]] == ["raised", "acknowledged", "closed"]


def test_comments_are_written_by_the_control_room_and_read_by_guards(
    api: ApiClient, clock: FakeClock, context: HubContext, site: LoadResult
) -> None:
    leak = raise_on(context, "leak-b1-101")
    path = f"{ALERTS}/{leak['id']}/comments"
    assert api.get(path, as_user="guard").json() == []
    written = api.post(path, as_user="operator", json={"note": "已通知保安 guard on the way"})
    assert written.status_code == 201, written.text
    clock.advance(timedelta(minutes=1))
    api.post(path, as_user="admin", json={"note": "阀门已关 valve closed"})
    read = api.get(path, as_user="guard").json()
    assert [(c["by"], c["note"]) for c in read] == [
        ("operator", "已通知保安 guard on the way"),
        ("admin", "阀门已关 valve closed"),
    ]
    for user in OTHER_ROLES:
        assert api.post(path, as_user=user, json={"note": "x"}).status_code == 403, user
    for user in ("tech", "finance", "service", "owner101"):
        assert api.get(path, as_user=user).status_code == 403, user
    assert api.post(path, as_user="operator", json={"note": ""}).status_code == 422
    assert api.get(f"{ALERTS}/999999/comments", as_user="guard").status_code == 404
    missing = api.post(f"{ALERTS}/999999/comments", as_user="operator", json={"note": "x"})
    assert missing.status_code == 404
    assert api.get(f"{ALERTS}", as_user="operator").json()[0]["state"] == "active_unacknowledged"


def test_a_fault_work_order_is_created_once_or_an_open_one_linked(
    api: ApiClient, context: HubContext, site: LoadResult, submit: Submit
) -> None:
    leak = raise_on(context, "leak-b1-101")
    path = f"{ALERTS}/{leak['id']}/work-order"
    for user in OTHER_ROLES:
        assert api.post(path, as_user=user, json={}).status_code == 403, user
    assert api.post(f"{ALERTS}/999999/work-order", as_user="operator", json={}).status_code == 404

    made = api.post(path, as_user="operator", json={"note": "请带管钳 bring a pipe wrench"})
    assert made.status_code == 200, made.text
    body = made.json()
    assert body["created"] is True
    order_id = body["work_order"]["id"]
    assert (body["alert"]["work_order_id"], body["work_order"]["status"]) == (order_id, "submitted")
    order = api.get(f"/api/v1/work-orders/{order_id}", as_user="operator").json()
    assert (order["priority"], order["category"], order["source"]) == (
        "urgent",
        "plumbing",
        "staff",
    )
    assert order["device_id"] == leak["device_id"]
    assert "bring a pipe wrench" in order["description"]

    again = api.post(path, as_user="admin", json={}).json()
    assert (again["created"], again["work_order"]["id"]) == (False, order_id)

    request = submit("owner101").json()  # the owner reported the same leak
    linked = api.post(path, as_user="operator", json={"existing_order_id": request["id"]}).json()
    assert (linked["created"], linked["alert"]["work_order_id"]) == (False, request["id"])
    missing = api.post(path, as_user="operator", json={"existing_order_id": 999999})
    assert missing.status_code == 404
    history = api.get(f"{ALERTS}/{leak['id']}", as_user="operator").json()["history"]
    assert [(h["kind"], h["work_order_id"]) for h in history if h["kind"] == "linked"] == [
        ("linked", order_id),
        ("linked", request["id"]),
    ]


def test_a_closed_work_order_cannot_be_linked(
    api: ApiClient, context: HubContext, site: LoadResult, submit: Submit
) -> None:
    leak = raise_on(context, "leak-b1-101")
    request = submit("owner101").json()
    with context.db.session() as session:
        order = session.get(WorkOrder, request["id"])
        assert order is not None
        order.status = WorkOrderStatus.CANCELLED
    refused = api.post(
        f"{ALERTS}/{leak['id']}/work-order",
        as_user="operator",
        json={"existing_order_id": request["id"]},
    )
    assert refused.status_code == 409


def test_the_detail_has_the_device_its_place_readings_around_the_raise_and_the_order(
    api: ApiClient, clock: FakeClock, context: HubContext, site: LoadResult
) -> None:
    raised_at = clock.now()
    leak = raise_on(context, "leak-b1-101")
    with context.db.session() as session:
        for hours, wet in ((-3, 0), (-1, 0), (0, 1), (1, 1), (3, 0)):
            at = raised_at + timedelta(hours=hours)
            session.add(
                Reading(
                    device_id=leak["device_id"],
                    metric="leak",
                    ts=at,
                    value=Decimal(wet),
                    received_at=at,
                )
            )
    api.post(f"{ALERTS}/{leak['id']}/work-order", as_user="operator", json={})
    path = f"{ALERTS}/{leak['id']}"
    detail = api.get(path, as_user="operator").json()
    assert detail["device"]["name"] == "厨房漏水传感器 Kitchen leak sensor"
    assert detail["device"]["kind"] == "leak_sensor"
    place = detail["place"]
    assert (place["building_name"] is not None, place["home_code"]) == (True, "101")
    assert place["location"] == "1号楼101厨房 B1-101 kitchen"
    assert [Decimal(r["value"]) for r in detail["readings"]] == [0, 1, 1]  # ±2 h
    assert [h["kind"] for h in detail["history"]] == ["raised", "linked"]
    assert detail["work_order"]["status"] == "submitted"

    guard_view = api.get(path, as_user="guard").json()  # guards do not read work orders
    assert guard_view["work_order"] is None and guard_view["alert"]["work_order_id"] is not None
    for user in ("tech", "finance", "service", "owner101"):
        assert api.get(path, as_user=user).status_code == 403, user
    assert api.get(f"{ALERTS}/999999", as_user="operator").status_code == 404


def test_state_changes_reach_the_control_room_live_and_not_an_owner(
    api: ApiClient, context: HubContext, site: LoadResult, submit: Submit
) -> None:
    swipe = _denied_swipe(context)
    with (
        live_feed(api, api.token("operator")) as console,
        live_feed(api, api.token("owner101")) as owner,
    ):
        assert [a["id"] for a in receive(console)["data"]["alerts"]] == [swipe["id"]]
        assert receive(owner)["data"]["alerts"] == []
        api.post(f"{ALERTS}/{swipe['id']}/comments", as_user="operator", json={"note": "看录像"})
        assert next_of(console, "alert.updated", swipe["id"])["state"] == "active_unacknowledged"
        api.post(f"{ALERTS}/{swipe['id']}/close", as_user="operator", json={"note": "误刷 mistake"})
        closed = next_of(console, "alert.updated", swipe["id"])
        assert (closed["state"], closed["cleared_by"]) == ("cleared_acknowledged", "operator")
        mine = submit("owner101").json()
        assert receive(owner)["data"]["id"] == mine["id"]  # the first thing it gets
