"""Emergency notices reach every addressed owner's inbox and phone; notices expire, can be
withdrawn, can be addressed to chosen homes; staff see who has read one and who has not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services import outbox
from hub.services.notice_audience import sms_text
from hub.storage.models import Building, Home
from tests.conftest import ApiClient
from tests.support.sms import dispatch_sms, sent_sms

NOTICES = "/api/v1/notices"


def _home_id(context: HubContext, label: str) -> int:
    building, home = label.split("/")
    with context.db.session() as session:
        return int(
            session.scalars(
                select(Home.id).join(Building).where(Building.code == building, Home.code == home)
            ).one()
        )


def _b1(context: HubContext) -> int:
    with context.db.session() as session:
        return int(session.scalars(select(Building.id).where(Building.code == "B1")).one())


def _seen_by(api: ApiClient, owner: str) -> list[int]:
    return [n["id"] for n in api.get(NOTICES, as_user=owner).json()]


def test_an_emergency_notice_goes_to_the_owners_inbox_and_phone(
    api: ApiClient, context: HubContext
) -> None:
    sent = api.post(
        NOTICES,
        as_user="service",
        json={
            "title": "紧急停水 Water off now",
            "body": "1号楼水管爆裂 A burst main in Building 1",
            "building_ids": [_b1(context)],
            "emergency": True,
        },
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["emergency"] and sent.json()["pinned"]

    assert outbox.deliver_pending(context.db.session, now=context.clock.now()) == 2
    assert dispatch_sms(context) == 2
    for owner in ("owner101", "owner102"):
        inbox: Any = api.get("/api/v1/notifications", as_user=owner).json()
        assert [n["title"] for n in inbox] == ["紧急通知 Emergency: 紧急停水 Water off now"]
    assert api.get("/api/v1/notifications", as_user="owner201").json() == []  # Building 2
    texts = {s.phone: s.text for s in sent_sms(context)}
    assert texts == {
        "13812345678": "【紧急通知 Emergency】紧急停水 Water off now 详见业主端 See the owner app",
        "13998765432": "【紧急通知 Emergency】紧急停水 Water off now 详见业主端 See the owner app",
    }


def test_an_ordinary_notice_is_not_pushed(api: ApiClient, context: HubContext) -> None:
    api.post(NOTICES, as_user="service", json={"title": "通知 Notice", "body": "b"})
    assert outbox.deliver_pending(context.db.session, now=context.clock.now()) == 0
    assert dispatch_sms(context) == 0


def test_an_emergency_sms_fits_the_provider_limit() -> None:
    text = sms_text("停" * 200)
    assert len(text.encode()) <= outbox.SMS_MAX_BYTES
    assert text.startswith("【紧急通知 Emergency】停停") and "…" in text


def test_an_expired_notice_leaves_the_owners_pages_but_not_the_staffs(
    api: ApiClient, clock: FakeClock
) -> None:
    expires = (clock.now() + timedelta(hours=2)).isoformat()
    notice = api.post(
        NOTICES,
        as_user="service",
        json={"title": "今日停电 Power off today", "body": "b", "expires_at": expires},
    ).json()
    assert _seen_by(api, "owner101") == [notice["id"]]
    clock.advance(timedelta(hours=2))
    assert _seen_by(api, "owner101") == []
    assert api.get(f"{NOTICES}/{notice['id']}", as_user="owner101").status_code == 404
    staff = api.get(f"{NOTICES}/{notice['id']}", as_user="service").json()
    assert staff["expires_at"] == "2026-11-10T04:00:00Z"


def test_a_notice_cannot_expire_before_it_is_published(api: ApiClient, clock: FakeClock) -> None:
    past = (clock.now() - timedelta(minutes=1)).isoformat()
    refused = api.post(
        NOTICES, as_user="service", json={"title": "t", "body": "b", "expires_at": past}
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "notice_expiry_past"


def test_a_withdrawn_notice_disappears_for_owners_and_shows_why_to_staff(
    api: ApiClient,
) -> None:
    notice = api.post(NOTICES, as_user="service", json={"title": "错误通知 Wrong", "body": "b"})
    notice_id = notice.json()["id"]
    withdraw = f"{NOTICES}/{notice_id}/withdraw"
    assert api.post(withdraw, as_user="owner101", json={"reason": "x"}).status_code == 403
    done = api.post(withdraw, as_user="admin", json={"reason": "日期写错 Wrong date"})
    assert done.status_code == 200, done.text
    assert done.json()["withdraw_reason"] == "日期写错 Wrong date"
    assert _seen_by(api, "owner101") == []
    assert api.post(f"{NOTICES}/{notice_id}/read", as_user="owner101").status_code == 404
    again = api.post(withdraw, as_user="service", json={"reason": "again"})
    assert again.status_code == 409 and again.json()["code"] == "notice_withdrawn"
    assert [n["withdrawn_at"] is not None for n in api.get(NOTICES, as_user="service").json()] == [
        True
    ]


def test_a_notice_to_chosen_homes_reaches_those_homes_only(
    api: ApiClient, context: HubContext
) -> None:
    b1_101 = _home_id(context, "B1/101")
    notice = api.post(
        NOTICES,
        as_user="service",
        json={"title": "入户检修 Visit", "body": "b", "home_ids": [b1_101]},
    )
    assert notice.status_code == 201, notice.text
    assert notice.json()["homes"] == [{"id": b1_101, "label": "B1/101"}]
    assert _seen_by(api, "owner101") == [notice.json()["id"]]
    assert _seen_by(api, "owner102") == []
    assert _seen_by(api, "owner201") == []
    mixed = api.post(
        NOTICES,
        as_user="service",
        json={"title": "t", "body": "b", "home_ids": [b1_101], "building_ids": [_b1(context)]},
    )
    assert mixed.status_code == 422 and mixed.json()["code"] == "notice_audience_mixed"


def test_staff_see_who_read_a_notice_and_who_did_not(api: ApiClient, context: HubContext) -> None:
    notice = api.post(
        NOTICES,
        as_user="service",
        json={"title": "消防检查 Fire check", "body": "b", "building_ids": [_b1(context)]},
    ).json()
    receipts = f"{NOTICES}/{notice['id']}/receipts"
    assert api.post(f"{NOTICES}/{notice['id']}/read", as_user="owner102").status_code == 204
    shown = api.get(receipts, as_user="service").json()
    assert (shown["addressed"], shown["read"]) == (2, 1)
    assert [(r["home"], r["owner"], r["read_at"]) for r in shown["receipts"]] == [
        ("B1/101", "张伟 Zhang Wei", None),  # unread first
        ("B1/102", "李娜 Li Na", "2026-11-10T02:00:00Z"),
    ]
    for user in ("owner102", "operator", "tech"):
        assert api.get(receipts, as_user=user).status_code == 403, user
