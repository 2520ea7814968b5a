"""The alarm list: who may read and acknowledge, worst first then newest, the open view keeps
what cleared unseen, and the filters and search."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import Severity
from hub.services.alerts import clear, get_or_raise
from hub.services.site import LoadResult
from tests.api.alarm_support import building_id, raise_on
from tests.api.conftest import RaiseAlert
from tests.conftest import ApiClient

ALERTS = "/api/v1/alerts"


def _ids(api: ApiClient, query: str = "", user: str = "operator") -> list[int]:
    listed = api.get(f"{ALERTS}{query}", as_user=user)
    assert listed.status_code == 200, listed.text
    return [a["id"] for a in listed.json()]


def test_worst_first_then_newest_and_a_cleared_alarm_waits_for_its_acknowledgement(
    api: ApiClient, clock: FakeClock, context: HubContext, site: LoadResult
) -> None:
    offline = raise_on(context, "em-b1-101", severity=Severity.MINOR, rule_id="offline")
    clock.advance(timedelta(minutes=1))
    older_leak = raise_on(context, "leak-b1-101")
    clock.advance(timedelta(minutes=1))
    pump = raise_on(context, "pump-1", severity=Severity.MAJOR, rule_id="pump-low")
    clock.advance(timedelta(minutes=1))
    newer_leak = raise_on(context, "leak-b1-102")
    clock.advance(timedelta(seconds=11))
    with context.db.session() as session:  # the leak dries up before anyone looked
        clear(session, "leak-b1-102/leak", now=clock.now())

    order = [newer_leak["id"], older_leak["id"], pump["id"], offline["id"]]
    for user in ("operator", "admin", "guard"):
        assert _ids(api, user=user) == order, user
    cleared = api.get(ALERTS, as_user="operator").json()[0]
    assert (cleared["state"], cleared["unacknowledged"]) == ("cleared_unacknowledged", True)
    assert cleared["device_name"] == "卫生间漏水传感器 Bathroom leak sensor"
    assert cleared["device_kind"] == "leak_sensor"
    assert (cleared["site_name"], cleared["building_name"]) == (
        "绿园小区 Green Garden",
        "1号楼 Building 1",
    )

    acked = api.post(f"{ALERTS}/{newer_leak['id']}/acknowledge", as_user="operator")
    assert acked.json()["state"] == "cleared_acknowledged"
    assert _ids(api) == order[1:]
    assert _ids(api, "?state=closed") == [newer_leak["id"]]
    assert _ids(api, "?state=all") == order


def test_filters_and_search(
    api: ApiClient, clock: FakeClock, context: HubContext, site: LoadResult
) -> None:
    leak = raise_on(context, "leak-b1-102")
    smoke = raise_on(context, "smoke-b2-hall", title="烟雾报警 Smoke alarm", rule_id="smoke")
    pump = raise_on(context, "pump-1", severity=Severity.MAJOR, rule_id="pump-low")
    swipe = raise_on(
        context, "gate-north", severity=Severity.WARNING, title="门禁拒绝 Access denied"
    )
    api.post(f"{ALERTS}/{pump['id']}/acknowledge", as_user="operator")

    assert _ids(api, f"?building_id={building_id(context, 'B2')}") == [smoke["id"]]
    assert _ids(api, f"?building_id={building_id(context, 'B1')}") == [leak["id"]]
    assert _ids(api, "?severity=major&severity=warning") == [pump["id"], swipe["id"]]
    assert _ids(api, "?device_kind=pump") == [pump["id"]]
    assert _ids(api, "?device_kind=gate&device_kind=smoke_sensor") == [smoke["id"], swipe["id"]]
    assert _ids(api, "?q=bathroom") == [leak["id"]]  # the device's name
    assert _ids(api, "?q=北门") == [swipe["id"]]  # the location
    assert _ids(api, "?q=Smoke%20alarm") == [smoke["id"]]  # the title
    assert _ids(api, "?q=100%25") == []  # a % is a character, not a wildcard
    assert _ids(api, f"?site_id={site.site_id}&state=active_acknowledged") == [pump["id"]]
    assert _ids(api, "?site_id=999999") == []
    assert set(_ids(api, "?state=unacknowledged")) == {leak["id"], smoke["id"], swipe["id"]}
    assert api.get(f"{ALERTS}?state=gone", as_user="operator").status_code == 422
    assert api.get(f"{ALERTS}?severity=fatal", as_user="operator").status_code == 422


def test_acknowledge_records_who_and_when(
    api: ApiClient, raise_leak: RaiseAlert, clock: FakeClock
) -> None:
    alert = raise_leak()
    clock.advance(timedelta(seconds=42))
    acked = api.post(f"{ALERTS}/{alert['id']}/acknowledge", as_user="operator")
    assert acked.status_code == 200, acked.text
    body = acked.json()
    assert body["state"] == "active_acknowledged"
    assert body["acknowledged_by"] == "operator"
    assert datetime.fromisoformat(body["acknowledged_at"]) == clock.now()
    listed = api.get(ALERTS, as_user="guard").json()
    assert (listed[0]["acknowledged_by"], listed[0]["state"]) == ("operator", "active_acknowledged")
    again = api.post(f"{ALERTS}/{alert['id']}/acknowledge", as_user="admin")
    assert again.status_code == 409
    assert api.post(f"{ALERTS}/999999/acknowledge", as_user="admin").status_code == 404


def test_alerts_refuse_other_roles(api: ApiClient, raise_leak: RaiseAlert) -> None:
    alert = raise_leak()
    for user in ("owner101", "tech", "finance", "service"):
        assert api.get(ALERTS, as_user=user).status_code == 403, user
    for user in ("guard", "owner101", "tech"):
        refused = api.post(f"{ALERTS}/{alert['id']}/acknowledge", as_user=user)
        assert refused.status_code == 403, user
    assert api.get(ALERTS, as_user="operator").json()[0]["state"] == "active_unacknowledged"
    assert api.client.get(ALERTS).status_code == 401


def test_acknowledgement_is_stored_before_the_answer_goes_out(
    api: ApiClient, raise_leak: RaiseAlert, context: HubContext
) -> None:
    """A console that reloads right after the answer must already see the acknowledgement."""
    alert = raise_leak()
    token = api.token("operator")
    seen_when_answering: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_after_checking(message: Message) -> None:
            if message["type"] == "http.response.start":
                with context.db.session() as session:
                    seen_when_answering.append(get_or_raise(session, alert["id"]).state.value)
            await send(message)

        await api.client.app(scope, receive, send_after_checking)

    with TestClient(app) as client:
        answer = client.post(
            f"{ALERTS}/{alert['id']}/acknowledge", headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 200
    assert seen_when_answering == ["active_acknowledged"]
