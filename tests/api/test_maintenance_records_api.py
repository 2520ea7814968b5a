"""Maintenance records (维修记录) over the API: the assigned technician writes one before an
asset's order completes, its cost is computed to the fen, the requester confirms it with the
repair (the estate, for an order nobody requested), and it is read-only afterwards. Staff set the
asset an order repairs; an asset's history and timeline show its repairs and alarms."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services.site import LoadResult
from tests.api.conftest import Submit, assigned, staff_id
from tests.api.test_assets_api import _ok, _refused
from tests.api.test_dispatch_api import _new_technician
from tests.conftest import ApiClient
from tests.support.maintenance import asset_id
from tests.support.repairs import pump_alarm_then_order, pump_order
from tests.support.sites import load_other_site

WO = "/api/v1/work-orders"
ASSETS = "/api/v1/assets"
RECORD = {
    "cause": "wear",
    "remedy": "replace_part",
    "note": "轴承磨损，已更换 Worn bearing replaced",
    "other_cost": "30.00",
    "parts": [
        {"name": "轴承 Bearing", "quantity": "2", "unit_price": "12.35"},
        {"name": "密封胶 Sealant (m)", "quantity": "1.5", "unit_price": "3.33"},
    ],
}


def _record(api: ApiClient, order_id: int, body: dict[str, Any] | None = None) -> object:
    labour = [{"technician_id": staff_id(api), "minutes": 45}]
    return api.put(
        f"{WO}/{order_id}/record", as_user="tech", json={"labour": labour, **(body or RECORD)}
    )


def _owners_asset_order(
    api: ApiClient, submit: Submit, context: HubContext, site: LoadResult
) -> int:
    """owner101's request, set by customer service on the B1 elevator, started by `tech`."""
    order_id = assigned(api, submit)
    body = {"asset_id": asset_id(context, site, "EL-B1-1")}
    _ok(api.put(f"{WO}/{order_id}/asset", as_user="service", json=body))
    _ok(api.post(f"{WO}/{order_id}/start", as_user="tech"))
    return order_id


def test_the_technician_records_the_repair_and_the_owner_confirms_it(
    api: ApiClient, submit: Submit, context: HubContext, site: LoadResult
) -> None:
    order_id = _owners_asset_order(api, submit, context, site)
    history = _ok(api.get(f"{WO}/{order_id}/history", as_user="owner101"))
    assert (history[-2]["note"], history[-2]["by"]) == (
        "维修设施 Asset repaired: — → EL-B1-1",
        "service",
    )
    _refused(
        api.post(f"{WO}/{order_id}/complete", as_user="tech", data={"report": "换了轴承"}),
        422,
        "record_required",
    )
    record = _ok(_record(api, order_id))
    # 2 x 12.35 = 24.70; 1.5 x 3.33 = 4.995 -> 5.00 (half up); plus 30.00 other
    assert [(p["quantity"], p["cost"]) for p in record["parts"]] == [
        ("2", "24.70"),
        ("1.5", "5.00"),
    ]
    assert (record["parts_cost"], record["other_cost"], record["total_cost"]) == (
        "29.70",
        "30.00",
        "59.70",
    )
    assert (record["labour_minutes"], record["labour"][0]["technician"]["username"]) == (45, "tech")
    assert record["confirmed_at"] is None
    _ok(api.post(f"{WO}/{order_id}/complete", as_user="tech", data={"report": "换了轴承"}))
    _refused(_record(api, order_id), 409, "record_not_editable")  # completed: awaiting the owner

    shown = _ok(api.get(f"{WO}/{order_id}", as_user="owner101"))["record"]
    assert (shown["cause"], shown["remedy"], shown["total_cost"]) == (
        "wear",
        "replace_part",
        "59.70",
    )
    _refused(
        api.post(f"{WO}/{order_id}/record/confirm", as_user="operator", json={}),
        403,
        "record_confirmed_by_requester",
    )
    confirmed = {"attitude": 5, "quality": 4, "comment": "好 Good"}
    _ok(api.post(f"{WO}/{order_id}/confirm", as_user="owner101", json=confirmed))
    shown = _ok(api.get(f"{WO}/{order_id}", as_user="service"))["record"]
    assert shown["confirmed_by"]["username"] == "owner101"
    assert shown["confirmed_at"] == "2026-11-10T02:00:00Z"
    _refused(_record(api, order_id), 409, "record_confirmed")


def test_a_refused_repair_reopens_the_record_for_the_technician(
    api: ApiClient, submit: Submit, context: HubContext, site: LoadResult
) -> None:
    order_id = _owners_asset_order(api, submit, context, site)
    _ok(_record(api, order_id))
    _ok(api.post(f"{WO}/{order_id}/complete", as_user="tech", data={"report": "调整"}))
    _ok(
        api.post(f"{WO}/{order_id}/refuse", as_user="owner101", json={"reason": "还响 Still noisy"})
    )
    again = _ok(_record(api, order_id, {**RECORD, "parts": [], "other_cost": "0"}))
    assert (again["total_cost"], again["confirmed_at"]) == ("0.00", None)


def test_an_order_nobody_requested_is_confirmed_by_the_estate(
    api: ApiClient, context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    order_id = pump_order(context, clock, site)
    assert _ok(api.get(f"{WO}/{order_id}", as_user="operator"))["asset_id"] == asset_id(
        context, site, "WP-1"
    )
    _ok(api.post(f"{WO}/{order_id}/start", as_user="tech"))
    _ok(_record(api, order_id, {**RECORD, "cause": "power", "remedy": "reset", "parts": []}))
    _ok(api.post(f"{WO}/{order_id}/complete", as_user="tech", data={"report": "复位"}))
    rating = {"attitude": 5, "quality": 5}
    _refused(
        api.post(f"{WO}/{order_id}/confirm", as_user="service", json=rating),
        403,
        "record_confirmed_by_estate",
    )
    for role in ("tech", "service", "guard", "owner101"):
        assert api.post(f"{WO}/{order_id}/record/confirm", as_user=role, json={}).status_code == 403
    done = _ok(
        api.post(
            f"{WO}/{order_id}/record/confirm",
            as_user="operator",
            json={"note": "已试运行 Test run"},
        )
    )
    assert (done["status"], done["confirmed_at"]) == ("confirmed", "2026-11-10T02:00:00Z")
    detail = _ok(api.get(f"{WO}/{order_id}", as_user="admin"))
    assert detail["record"]["confirmed_by"]["username"] == "operator"
    assert (
        detail["timeline"][-1]["note"]
        == "物业确认维修记录 Confirmed for the estate: 已试运行 Test run"
    )
    _refused(
        api.post(f"{WO}/{order_id}/record/confirm", as_user="admin", json={}),
        409,
        "invalid_transition",
    )


def test_only_the_assigned_technician_writes_a_valid_record(
    api: ApiClient, submit: Submit, context: HubContext, site: LoadResult
) -> None:
    order_id = assigned(api, submit)
    _refused(_record(api, order_id), 422, "order_has_no_asset")
    body = {"asset_id": asset_id(context, site, "EL-B1-1")}
    _ok(api.put(f"{WO}/{order_id}/asset", as_user="operator", json=body))
    _refused(_record(api, order_id), 409, "record_not_editable")  # assigned, not yet started
    _ok(api.post(f"{WO}/{order_id}/start", as_user="tech"))
    tech2 = _new_technician(api, "tech2")
    other = api.put(f"{WO}/{order_id}/record", as_user="tech2", json=RECORD)
    _refused(other, 404, "not_found")  # another technician's order is not theirs to see
    for role in ("operator", "admin", "service", "owner101"):
        assert api.put(f"{WO}/{order_id}/record", as_user=role, json=RECORD).status_code == 403
    not_tech = [{"technician_id": staff_id(api, "service"), "minutes": 10}]
    _refused(_record(api, order_id, {**RECORD, "labour": not_tech}), 422, "labour_not_tech")
    twice = [{"technician_id": tech2, "minutes": 10}] * 2
    _refused(_record(api, order_id, {**RECORD, "labour": twice}), 422, "labour_duplicate")
    helped = [
        {"technician_id": staff_id(api), "minutes": 30},
        {"technician_id": tech2, "minutes": 20},
    ]
    record = _ok(_record(api, order_id, {**RECORD, "labour": helped}))
    assert record["labour_minutes"] == 50
    bad = {**RECORD, "cause": "gremlins"}
    assert _record(api, order_id, bad).status_code == 422  # type: ignore[attr-defined]
    typed_total = {**RECORD, "total_cost": "1.00"}
    assert _ok(_record(api, order_id, typed_total))["total_cost"] == "59.70"  # never typed


def test_staff_set_an_asset_of_the_orders_own_estate(
    api: ApiClient, submit: Submit, context: HubContext, site: LoadResult
) -> None:
    order_id = assigned(api, submit)
    other = load_other_site(context)
    foreign = {"asset_id": asset_id(context, other, "EL-B1-1")}
    _refused(
        api.put(f"{WO}/{order_id}/asset", as_user="admin", json=foreign),
        422,
        "order_asset_other_estate",
    )
    mine = {"asset_id": asset_id(context, site, "EL-B1-1")}
    for role in ("tech", "guard", "finance", "owner101"):
        assert api.put(f"{WO}/{order_id}/asset", as_user=role, json=mine).status_code == 403, role
    _refused(
        api.put(f"{WO}/{order_id}/asset", as_user="admin", json={"asset_id": 999}), 404, "not_found"
    )
    _ok(api.put(f"{WO}/{order_id}/asset", as_user="admin", json=mine))
    _ok(api.post(f"{WO}/{order_id}/start", as_user="tech"))
    _ok(_record(api, order_id))
    _refused(
        api.put(f"{WO}/{order_id}/asset", as_user="admin", json={"asset_id": None}),
        409,
        "order_has_record",
    )
    pump = {"asset_id": asset_id(context, site, "WP-1")}
    corrected = _ok(api.put(f"{WO}/{order_id}/asset", as_user="service", json=pump))
    assert corrected["asset_id"] == pump["asset_id"]
    history = _ok(api.get(f"{WO}/{order_id}/history", as_user="service"))
    assert history[-1]["note"] == "维修设施 Asset repaired: EL-B1-1 → WP-1"


def test_an_assets_history_and_timeline(
    api: ApiClient, context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    start = clock.now()
    order_id = pump_alarm_then_order(context, clock, site)
    _ok(api.post(f"{WO}/{order_id}/start", as_user="tech"))
    _ok(_record(api, order_id))
    clock.advance(timedelta(hours=2))
    _ok(api.post(f"{WO}/{order_id}/complete", as_user="tech", data={"report": "换了轴承"}))
    wp1 = asset_id(context, site, "WP-1")

    repairs = _ok(api.get(f"{ASSETS}/{wp1}/work-orders", as_user="tech"))
    assert [(r["id"], r["status"], r["record"]["total_cost"]) for r in repairs] == [
        (order_id, "completed", "59.70")
    ]
    timeline = _ok(api.get(f"{ASSETS}/{wp1}/timeline", as_user="service"))
    assert [(e["kind"], e["at"]) for e in timeline] == [
        ("alarm_raised", "2026-11-10T02:00:00Z"),
        ("order_opened", "2026-11-10T02:05:00Z"),
        ("order_completed", "2026-11-10T04:05:00Z"),
    ]
    assert timeline[0]["severity"] == "major" and timeline[2]["work_order_id"] == order_id
    window = {
        "from": (start + timedelta(minutes=1)).isoformat(),
        "to": (start + timedelta(hours=1)).isoformat(),
    }
    assert [
        e["kind"] for e in _ok(api.get(f"{ASSETS}/{wp1}/timeline", as_user="admin", params=window))
    ] == ["order_opened"]
    backwards = {"from": window["to"], "to": window["from"]}
    _refused(
        api.get(f"{ASSETS}/{wp1}/timeline", as_user="admin", params=backwards), 422, "bad_range"
    )
    for role in ("guard", "finance", "owner101"):
        assert api.get(f"{ASSETS}/{wp1}/work-orders", as_user=role).status_code == 403
        assert api.get(f"{ASSETS}/{wp1}/timeline", as_user=role).status_code == 403
    assert api.get(f"{ASSETS}/999/timeline", as_user="admin").status_code == 404
