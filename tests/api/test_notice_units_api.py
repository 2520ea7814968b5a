"""A notice addressed to one unit (单元) of a building reaches the owners in that unit only: their
inbox and phone for an emergency, their notice list; not a neighbour in the next unit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub.context import HubContext
from hub.services import outbox
from hub.storage.models import Building
from tests.api.test_notice_delivery_api import NOTICES, _b1, _seen_by
from tests.conftest import ApiClient
from tests.support.sms import dispatch_sms, sent_sms


def test_a_notice_to_one_unit_reaches_that_units_owners_only(
    api: ApiClient, context: HubContext
) -> None:
    sent = api.post(
        NOTICES,
        as_user="service",
        json={
            "title": "1单元电梯停运 Lift 1 stopped",
            "body": "今晚检修 Serviced tonight",
            "building_ids": [_b1(context)],
            "unit": " 1单元 ",
            "emergency": True,
        },
    )
    assert sent.status_code == 201, sent.text
    notice: Any = sent.json()
    assert notice["unit"] == "1单元"

    assert outbox.deliver_pending(context.db.session, now=context.clock.now()) == 1
    assert dispatch_sms(context) == 1
    assert [s.phone for s in sent_sms(context)] == ["13812345678"]  # owner101, B1 1单元
    inbox: Any = api.get("/api/v1/notifications", as_user="owner101").json()
    assert [n["title"] for n in inbox] == ["紧急通知 Emergency: 1单元电梯停运 Lift 1 stopped"]
    for neighbour in ("owner102", "owner201"):  # B1 2单元; B2 1单元
        assert api.get("/api/v1/notifications", as_user=neighbour).json() == [], neighbour
        assert _seen_by(api, neighbour) == [], neighbour
        assert api.get(f"{NOTICES}/{notice['id']}", as_user=neighbour).status_code == 404
    assert _seen_by(api, "owner101") == [notice["id"]]
    receipts: Any = api.get(f"{NOTICES}/{notice['id']}/receipts", as_user="service").json()
    assert [r["home"] for r in receipts["receipts"]] == ["B1/101"]


def test_a_unit_needs_buildings_that_have_it(api: ApiClient, context: HubContext) -> None:
    def code(audience: dict[str, Any]) -> str:
        sent = api.post(NOTICES, as_user="service", json={"title": "t", "body": "b", **audience})
        assert sent.status_code == 422, sent.text
        return str(sent.json()["code"])

    with context.db.session() as session:
        both = list(session.scalars(select(Building.id).order_by(Building.code)))
    assert code({"unit": "1单元"}) == "notice_unit_needs_building"
    assert code({"unit": "3单元", "building_ids": [_b1(context)]}) == "notice_unit_unknown"
    assert code({"unit": "2单元", "building_ids": both}) == "notice_unit_unknown"  # B2 has none
