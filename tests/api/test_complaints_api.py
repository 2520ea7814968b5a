"""Complaints and suggestions (投诉建议) through the API with the hub's clock moved by hand: the
1-hour review and 24-hour contact limits met and missed, a refusal reopening and counting, an
out-of-scope close the owner reads, skipped steps refused, wrong roles and other owners refused.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2
import sqlalchemy as sa

from hub.clock import FakeClock
from hub.context import HubContext
from hub.image_header import read_header
from hub.storage.models import OutboxMessage, User
from tests.api.conftest import JPEG, MP4, PNG, WEBM, home_id, live_feed, receive
from tests.conftest import ApiClient

C = "/api/v1/complaints"


def _ok(response: object, status: int = 200) -> dict[str, Any]:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _submit(api: ApiClient, owner: str = "owner101", **extra: Any) -> dict[str, Any]:
    body = {
        "home_id": home_id(api, owner),
        "kind": "sanitation",
        "description": "垃圾桶三天没清 Bins not emptied for three days",
        "contact": "13812345678",
        **extra,
    }
    return _ok(api.post(C, as_user=owner, json=body), 201)


def _step(api: ApiClient, cid: int, action: str, body: dict[str, Any] | None = None) -> Any:
    return api.post(f"{C}/{cid}/{action}", as_user="service", json=body)


def _to_handled(api: ApiClient, cid: int) -> dict[str, Any]:
    _ok(_step(api, cid, "review", {"category": "垃圾清运 refuse"}))
    _ok(_step(api, cid, "assign", {"department": "cleaning"}))
    _ok(_step(api, cid, "contacts", {"method": "call", "summary": "今天下午清运 today pm"}))
    return _ok(_step(api, cid, "result", {"result": "已清运并加派班次 emptied, extra round"}))


def test_whole_flow_both_deadlines_met(api: ApiClient, clock: FakeClock) -> None:
    created = _submit(api)
    cid, recorded = created["id"], created["recorded_at"]
    assert (created["status"], created["channel"], created["contact"]) == (
        "recorded",
        "app",
        "13812345678",  # the owner's own, in full
    )
    assert created["review"]["breached"] is False and created["review"]["done_at"] is None
    clock.advance(timedelta(minutes=59))
    reviewed = _ok(_step(api, cid, "review", {"category": "垃圾清运 refuse"}))
    assert reviewed["review"] == {
        "due": reviewed["review"]["due"],
        "done_at": reviewed["reviewed_at"],
        "breached": False,
    }
    clock.advance(timedelta(hours=20))
    _ok(_step(api, cid, "assign", {"department": "cleaning"}))
    clock.advance(timedelta(hours=3))  # 23 h 59 min after recording
    contacted = _ok(_step(api, cid, "contacts", {"method": "visit", "summary": "上门看过 visited"}))
    assert contacted["status"] == "contacted"
    assert contacted["contact_owner"]["breached"] is False
    handled = _ok(_step(api, cid, "result", {"result": "已清运 emptied"}))
    assert handled["status"] == "handled"
    closed = _ok(api.post(f"{C}/{cid}/confirm", as_user="owner101"))
    assert (closed["status"], closed["reopen_count"]) == ("closed", 0)
    seen = _ok(api.get(f"{C}/{cid}", as_user="owner101"))
    assert seen["recorded_at"] == recorded
    assert [s["status"] for s in seen["timeline"]] == [
        "recorded",
        "reviewed",
        "assigned",
        "contacted",
        "handled",
        "closed",
    ]
    assert [(c["method"], c["summary"]) for c in seen["contacts"]] == [
        ("visit", "上门看过 visited")
    ]
    assert seen["review"]["breached"] is False and seen["contact_owner"]["breached"] is False


def test_review_missed_after_one_hour(api: ApiClient, clock: FakeClock) -> None:
    cid = _submit(api)["id"]
    clock.advance(timedelta(minutes=60))
    on_time = _ok(api.get(f"{C}/{cid}", as_user="service"))
    assert on_time["review"]["breached"] is False  # due exactly now: not yet late
    clock.advance(timedelta(minutes=1))
    late = _ok(api.get(f"{C}/{cid}", as_user="service"))
    assert late["review"]["breached"] is True and late["review"]["done_at"] is None
    reviewed = _ok(_step(api, cid, "review", {"category": "refuse"}))
    assert reviewed["review"]["breached"] is True  # done, but late: stays breached


def test_contact_missed_after_24_hours_and_overdue_listed_first(
    api: ApiClient, clock: FakeClock
) -> None:
    old = _submit(api)["id"]
    _ok(_step(api, old, "review", {"category": "refuse"}))
    _ok(_step(api, old, "assign", {"department": "cleaning"}))
    clock.advance(timedelta(hours=23))
    fresh = _submit(api, "owner201")["id"]  # its review is due in 1 h, before old's contact
    queue = [c["id"] for c in _ok_list(api.get(C, as_user="service"))]
    assert queue.index(fresh) < queue.index(old)
    clock.advance(timedelta(hours=1, minutes=1))  # old: 24 h 1 min after recording
    listed = {c["id"]: c for c in _ok_list(api.get(C, as_user="service"))}
    assert listed[old]["contact_owner"]["breached"] is True
    contacted = _ok(_step(api, old, "contacts", {"method": "call", "summary": "道歉 apologised"}))
    assert contacted["contact_owner"]["breached"] is True
    assert contacted["contact_owner"]["done_at"] == contacted["contacted_at"]


def _ok_list(response: object) -> list[dict[str, Any]]:
    assert isinstance(response, httpx2.Response) and response.status_code == 200, response
    found: list[dict[str, Any]] = response.json()
    return found


def test_a_refusal_reopens_counts_and_goes_back_to_handling(api: ApiClient) -> None:
    cid = _submit(api)["id"]
    _to_handled(api, cid)
    reopened = _ok(
        api.post(f"{C}/{cid}/reopen", as_user="owner101", json={"reason": "还是很脏 still dirty"})
    )
    assert (reopened["status"], reopened["reopen_count"]) == ("reopened", 1)
    assert reopened["reopen_reason"] == "还是很脏 still dirty"
    assert _step(api, cid, "result", {"result": "再次清洗 washed again"}).status_code == 200
    again = _ok(
        api.post(f"{C}/{cid}/reopen", as_user="owner101", json={"reason": "仍有异味 smells"})
    )
    assert again["reopen_count"] == 2
    _ok(_step(api, cid, "contacts", {"method": "visit", "summary": "复查 rechecked"}))
    _ok(_step(api, cid, "result", {"result": "更换垃圾桶 bins replaced"}))
    closed = _ok(api.post(f"{C}/{cid}/confirm", as_user="owner101"))
    assert (closed["status"], closed["reopen_count"], closed["result"]) == (
        "closed",
        2,
        "更换垃圾桶 bins replaced",
    )
    assert len(closed["contacts"]) == 2


def test_the_owner_closes_with_how_satisfied_they_are(api: ApiClient) -> None:
    cid = _submit(api)["id"]
    _to_handled(api, cid)
    too_many = api.post(f"{C}/{cid}/confirm", as_user="owner101", json={"satisfaction": 6})
    assert too_many.status_code == 422
    assert _ok(api.get(f"{C}/{cid}", as_user="owner101"))["status"] == "handled"
    closed = _ok(api.post(f"{C}/{cid}/confirm", as_user="owner101", json={"satisfaction": 4}))
    assert (closed["status"], closed["satisfaction"]) == ("closed", 4)
    seen = _ok(api.get(f"{C}/{cid}", as_user="service"))
    assert seen["satisfaction"] == 4
    assert "4/5" in seen["timeline"][-1]["note"]


def test_out_of_scope_is_closed_with_a_reason_the_owner_reads(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    cid = _submit(api, kind="other", description="整个小区停水 no water in the whole estate")["id"]
    reason = "市政供水管网检修，非物业范围 municipal supply works, not ours"
    closed = _ok(_step(api, cid, "out-of-scope", {"reason": reason}))
    assert closed["status"] == "out_of_scope" and closed["closed_at"] is not None
    clock.advance(timedelta(days=2))  # closed: its clocks stopped at the close
    seen = _ok(api.get(f"{C}/{cid}", as_user="owner101"))
    assert (seen["status"], seen["out_of_scope_reason"]) == ("out_of_scope", reason)
    assert seen["review"]["done_at"] == seen["closed_at"]
    assert (seen["review"]["breached"], seen["contact_owner"]["breached"]) == (False, False)
    assert seen["timeline"][-1]["note"] == reason
    with context.db.session() as session:
        owner = session.scalars(sa.select(User).where(User.username == "owner101")).one()
        bodies = session.scalars(
            sa.select(OutboxMessage.body).where(OutboxMessage.recipient_id == owner.id)
        ).all()
    assert reason in bodies
    assert _step(api, cid, "review", {"category": "water"}).status_code == 409


def test_skipped_steps_are_refused_with_a_code(api: ApiClient) -> None:
    cid = _submit(api)["id"]
    for action, body in [
        ("assign", {"department": "cleaning"}),
        ("contacts", {"method": "call", "summary": "hi"}),
        ("result", {"result": "done"}),
    ]:
        refused = _step(api, cid, action, body)
        assert refused.status_code == 409, action
        assert refused.json()["code"] == "complaint_out_of_order"
    assert api.post(f"{C}/{cid}/confirm", as_user="owner101").status_code == 409
    _ok(_step(api, cid, "review", {"category": "refuse"}))
    assert _step(api, cid, "result", {"result": "done"}).status_code == 409
    _ok(_step(api, cid, "assign", {"department": "cleaning"}))
    assert _step(api, cid, "result", {"result": "done"}).status_code == 409  # not contacted
    reopen = api.post(f"{C}/{cid}/reopen", as_user="owner101", json={"reason": "x"})
    assert reopen.status_code == 409
    assert _ok(api.get(f"{C}/{cid}", as_user="service"))["status"] == "assigned"


def test_phone_in_keeps_the_call_time_and_walk_in_is_recorded(
    api: ApiClient, clock: FakeClock
) -> None:
    home = home_id(api, "owner101")
    base = {"home_id": home, "kind": "service_complaint", "description": "保安态度差 rude guard"}
    missing = api.post(C, as_user="service", json={**base, "channel": "phone"})
    assert (missing.status_code, missing.json()["code"]) == (422, "complaint_call_time")
    ahead = (clock.now() + timedelta(minutes=3)).isoformat()  # beyond the 2-minute skew
    future = api.post(C, as_user="service", json={**base, "channel": "phone", "call_at": ahead})
    assert (future.status_code, future.json()["code"]) == (422, "complaint_call_time")
    call_at = (clock.now() - timedelta(minutes=8)).isoformat()
    phoned = _ok(
        api.post(C, as_user="service", json={**base, "channel": "phone", "call_at": call_at}), 201
    )
    assert phoned["channel"] == "phone" and phoned["owner_id"] is None
    assert phoned["call_at"].startswith(call_at[:16])
    walk_in = _ok(api.post(C, as_user="service", json={**base, "channel": "walk_in"}), 201)
    assert walk_in["channel"] == "walk_in"
    mine = {c["id"] for c in _ok_list(api.get(C, as_user="owner101"))}
    assert {phoned["id"], walk_in["id"]} <= mine  # recorded for their home: they follow it
    assert not mine & {c["id"] for c in _ok_list(api.get(C, as_user="owner201"))}
    app_by_staff = api.post(C, as_user="service", json={**base, "channel": "app"})
    assert app_by_staff.json()["code"] == "complaint_channel"
    by_owner = api.post(
        C, as_user="owner101", json={**base, "channel": "phone", "call_at": call_at}
    )
    assert by_owner.json()["code"] == "complaint_channel"


def test_other_owners_and_wrong_roles_are_refused(api: ApiClient) -> None:
    cid = _submit(api)["id"]
    assert api.get(f"{C}/{cid}", as_user="owner201").status_code == 404
    assert api.post(f"{C}/{cid}/confirm", as_user="owner201").status_code == 404
    reopen = api.post(f"{C}/{cid}/reopen", as_user="owner201", json={"reason": "x"})
    assert reopen.status_code == 404
    other_home = home_id(api, "owner201")
    body = {"home_id": other_home, "kind": "praise", "description": "好 good"}
    assert api.post(C, as_user="owner101", json=body).status_code == 404
    for user in ("operator", "tech", "guard", "finance"):
        assert api.get(f"{C}/{cid}", as_user=user).status_code == 403, user
    for user in ("admin", "owner101", "operator"):
        refused = _step_as(api, user, cid, "review", {"category": "refuse"})
        assert refused.status_code == 403, user
    assert _ok(api.get(f"{C}/{cid}", as_user="admin"))["contact"] == "138****5678"
    assert _ok_list(api.get(C, as_user="service"))[0]["contact"] == "138****5678"  # a list
    assert _ok(api.get(f"{C}/{cid}", as_user="service"))["contact"] == "13812345678"
    query = {"action": "pii_read", "target": f"complaint:{cid}"}
    audit = _ok(api.get("/api/v1/audit", as_user="admin", params=query))["items"]
    assert [e["username"] for e in audit] == ["service"]  # the admin's read was masked


def _step_as(api: ApiClient, user: str, cid: int, action: str, body: dict[str, Any]) -> Any:
    return api.post(f"{C}/{cid}/{action}", as_user=user, json=body)


def test_the_owner_is_told_the_result(api: ApiClient, context: HubContext) -> None:
    cid = _submit(api)["id"]
    _to_handled(api, cid)
    with context.db.session() as session:
        titles = session.scalars(sa.select(OutboxMessage.title)).all()
    assert titles == ["投诉处理结果 Your complaint was handled"]


def test_the_live_feed_carries_each_step_to_its_owner_only(api: ApiClient) -> None:
    """owner201's socket hears nothing of owner101's complaint; owner101's hears each step with
    the step's fields already set."""
    with (
        live_feed(api, api.token("owner201")) as other,
        live_feed(api, api.token("owner101")) as ws,
    ):
        assert receive(other)["kind"] == receive(ws)["kind"] == "snapshot"
        cid = _submit(api)["id"]
        recorded = receive(ws)
        assert (recorded["kind"], recorded["data"]["id"]) == ("complaint.recorded", cid)
        _ok(_step(api, cid, "review", {"category": "垃圾清运 refuse"}))
        updated = receive(ws)["data"]
        assert (updated["status"], updated["category"]) == ("reviewed", "垃圾清运 refuse")
        assert updated["review"]["done_at"] is not None
        mine = _submit(api, "owner201")["id"]
        assert receive(other)["data"]["id"] == mine  # the first it hears is its own


def test_photos_are_checked_kept_and_shown_only_to_readers(api: ApiClient) -> None:
    cid = _submit(api)["id"]
    files = [
        ("photos", ("bins.jpg", JPEG, "image/jpeg")),
        ("photos", ("bins.png", PNG, "image/png")),
    ]
    sent = _ok(api.post(f"{C}/{cid}/photos", as_user="owner101", files=files))
    assert [p["content_type"] for p in sent["photos"]] == ["image/jpeg", "image/jpeg"]
    url = sent["photos"][1]["url"]
    photo = api.get(url, as_user="service")
    assert (photo.status_code, photo.headers["content-type"]) == (200, "image/jpeg")
    stored, original = read_header(photo.content), read_header(PNG)
    assert (stored.media_type, stored.width, stored.height) == ("image/jpeg", 64, 48)
    assert (original.width, original.height) == (64, 48)  # re-encoded, the same picture
    assert api.get(url, as_user="owner201").status_code == 404
    fake = [("photos", ("x.jpg", b"<html>not a photo</html>", "image/jpeg"))]
    assert api.post(f"{C}/{cid}/photos", as_user="owner101", files=fake).status_code == 422
    more = [("photos", ("b.jpg", JPEG, "image/jpeg"))] * 3
    too_many = api.post(f"{C}/{cid}/photos", as_user="owner101", files=more)
    assert too_many.status_code == 413  # 2 + 3 > 4
    other = api.post(f"{C}/{cid}/photos", as_user="owner201", files=files[:1])
    assert other.status_code == 404
    _ok(_step(api, cid, "out-of-scope", {"reason": "非物业 not ours"}))
    closed = api.post(f"{C}/{cid}/photos", as_user="owner101", files=files[:1])
    assert (closed.status_code, closed.json()["code"]) == (409, "complaint_out_of_order")


def test_complaint_photos_count_against_the_owners_quota(
    api: ApiClient, context: HubContext, hub_env: Path
) -> None:
    cid = _submit(api)["id"]
    one = [("photos", ("bins.jpg", JPEG, "image/jpeg"))]
    _ok(api.post(f"{C}/{cid}/photos", as_user="owner101", files=one))
    (first,) = (hub_env / "uploads").iterdir()
    size = first.stat().st_size
    context.settings.upload_quota_bytes = size * 2 + size // 2  # room for 2 in all
    two = one * 2
    refused = api.post(f"{C}/{cid}/photos", as_user="owner101", files=two)  # 1 + 2 > 2
    assert refused.status_code == 413 and "storage quota of" in refused.json()["detail"]
    assert len(_ok(api.get(f"{C}/{cid}", as_user="owner101"))["photos"]) == 1
    _ok(api.post(f"{C}/{cid}/photos", as_user="owner101", files=one))
    repair = {"home_id": home_id(api, "owner101"), "category": "plumbing", "title": "tap"}
    photo = {"photo": ("tap.jpg", JPEG, "image/jpeg")}
    full = api.post("/api/v1/work-orders", as_user="owner101", data=repair, files=photo)
    assert full.status_code == 413  # the complaint's photos filled the quota repairs share


def test_a_short_video_is_kept_as_sent_and_served_as_video(
    api: ApiClient, context: HubContext
) -> None:
    cid = _submit(api)["id"]
    clip = [("photos", ("bins.mov", MP4, "application/octet-stream"))]  # the name is ignored
    sent = _ok(api.post(f"{C}/{cid}/photos", as_user="owner101", files=clip))
    assert [p["content_type"] for p in sent["photos"]] == ["video/mp4"]
    video = api.get(sent["photos"][0]["url"], as_user="service")
    assert (video.status_code, video.headers["content-type"]) == (200, "video/mp4")
    assert video.content == MP4
    second = [("photos", ("b.webm", WEBM, "video/webm"))]
    refused = api.post(f"{C}/{cid}/photos", as_user="owner101", files=second)
    assert (refused.status_code, refused.json()["code"]) == (413, "too_many_videos")

    other = _submit(api)["id"]
    heic = [("photos", ("p.mp4", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1", "video/mp4"))]
    odd = api.post(f"{C}/{other}/photos", as_user="owner101", files=heic)
    assert (odd.status_code, odd.json()["code"]) == (422, "video_unsupported")
    context.settings.upload_video_max_bytes = len(WEBM) - 1
    big = api.post(f"{C}/{other}/photos", as_user="owner101", files=second)
    assert (big.status_code, big.json()["code"]) == (413, "video_too_large")
    assert _ok(api.get(f"{C}/{other}", as_user="owner101"))["photos"] == []
