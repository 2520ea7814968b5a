"""Complaints routed and timed by the SLA file: a new complaint's suggested department (the
seeds' routes and a file's own), the department queues, the completeness check on arrival, and
the review and contact limits a file sets per kind, met and missed with the hub's clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2
import sqlalchemy as sa

from hub.clock import FakeClock
from hub.context import HubContext
from hub.storage.models import HomeOwnership, Owner
from tests.api.conftest import home_id
from tests.conftest import ApiClient

C = "/api/v1/complaints"
FILE_LIMITS = """
complaints:
  limits:
    - {kind: "*", review: 1h, contact: 1d}
    - {kind: sanitation, review: 20m, contact: 2h}
  routes:
    - {keyword: 电梯, department: maintenance}
    - {kind: "*", department: customer_service}
"""


def _ok(response: object, status: int = 200) -> Any:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    return response.json()


def _submit(api: ApiClient, kind: str, description: str, owner: str = "owner101") -> Any:
    body = {"home_id": home_id(api, owner), "kind": kind, "description": description}
    return _ok(api.post(C, as_user=owner, json=body), 201)


def _with_complaint_section(context: HubContext, section: str) -> None:
    path = context.settings.sla_file
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("\ncomplaints:") + 1] + section, encoding="utf-8")


def _queue(api: ApiClient, department: str, user: str = "service") -> list[int]:
    return [c["id"] for c in _ok(api.get(C, as_user=user, params={"department": department}))]


def test_new_complaints_are_routed_and_queued_by_department(api: ApiClient) -> None:
    bins = _submit(api, "sanitation", "垃圾桶三天没清 Bins not emptied")
    lawn = _submit(api, "other", "绿化带草坪被车压坏 Lawn crushed by cars")
    rude = _submit(api, "service_complaint", "前台态度差 Rude front desk")
    assert (bins["suggested_department"], bins["department"]) == ("cleaning", None)
    assert lawn["suggested_department"] == "landscaping"
    assert rude["suggested_department"] == "customer_service"
    assert _queue(api, "cleaning") == [bins["id"]]
    assert _queue(api, "landscaping") == [lawn["id"]]
    # customer service classifies the rude one as a security matter and assigns it there
    reviewed = _ok(
        api.post(f"{C}/{rude['id']}/review", as_user="service", json={"category": "安保 guards"})
    )
    assert reviewed["suggested_department"] == "security"
    body = {"department": "maintenance"}  # CS may choose another than suggested
    _ok(api.post(f"{C}/{rude['id']}/assign", as_user="service", json=body))
    assert _queue(api, "maintenance") == [rude["id"]]
    assert rude["id"] not in _queue(api, "security") + _queue(api, "customer_service")
    assert _queue(api, "cleaning", user="owner201") == []  # another owner's: not listed
    assert _queue(api, "cleaning", user="owner101") == [bins["id"]]
    assert api.get(C, as_user="tech", params={"department": "cleaning"}).status_code == 403
    bad = api.get(C, as_user="service", params={"department": "kitchen"})
    assert bad.status_code == 422


def test_a_file_route_overrides_the_seeds(api: ApiClient, context: HubContext) -> None:
    _with_complaint_section(context, FILE_LIMITS)
    lift = _submit(api, "sanitation", "电梯里有垃圾 Rubbish in the lift")
    bins = _submit(api, "sanitation", "垃圾桶三天没清 Bins not emptied")
    assert lift["suggested_department"] == "maintenance"
    assert bins["suggested_department"] == "customer_service"  # no sanitation route now


def test_limits_come_from_the_file_per_kind(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    _with_complaint_section(context, FILE_LIMITS)
    bins = _submit(api, "sanitation", "垃圾桶三天没清 Bins not emptied")["id"]
    idea = _submit(api, "suggestion", "多设几个快递柜 More parcel lockers")["id"]
    clock.advance(timedelta(minutes=20))
    seen = {c["id"]: c for c in _ok(api.get(C, as_user="service"))}
    assert seen[bins]["review"]["breached"] is False  # due exactly now
    clock.advance(timedelta(minutes=1))
    seen = {c["id"]: c for c in _ok(api.get(C, as_user="service"))}
    assert seen[bins]["review"]["breached"] is True
    assert seen[idea]["review"]["breached"] is False  # the "*" hour
    for cid in (bins, idea):
        _ok(api.post(f"{C}/{cid}/review", as_user="service", json={"category": "refuse"}))
        body = {"department": "cleaning"}
        _ok(api.post(f"{C}/{cid}/assign", as_user="service", json=body))
    clock.advance(timedelta(hours=1, minutes=39))  # 2 h after recording
    contact = {"method": "call", "summary": "已回电 called back"}
    met = _ok(api.post(f"{C}/{bins}/contacts", as_user="service", json=contact))
    assert met["contact_owner"]["breached"] is False
    assert met["contact_owner"]["due"] == met["contacted_at"]
    clock.advance(timedelta(hours=22, minutes=1))  # 24 h 1 min after recording
    late = _ok(api.get(f"{C}/{idea}", as_user="service"))
    assert late["contact_owner"]["breached"] is True


def test_incomplete_complaints_are_refused_on_arrival(api: ApiClient, context: HubContext) -> None:
    short = {"home_id": home_id(api, "owner101"), "kind": "other", "description": "电梯坏了"}
    refused = api.post(C, as_user="owner101", json=short)
    assert (refused.status_code, refused.json()["code"]) == (422, "complaint_too_short")
    empty = home_id(api, "owner201")
    with context.db.session() as session:  # its owners left no phone
        owners = sa.select(HomeOwnership.owner_id).where(HomeOwnership.home_id == empty)
        session.execute(sa.update(Owner).where(Owner.id.in_(owners)).values(phone=None))
        session.commit()
    walk_in = {
        "home_id": empty,
        "kind": "other",
        "description": "楼道灯不亮 Hall light out",
        "channel": "walk_in",
    }
    nobody = api.post(C, as_user="service", json=walk_in)
    assert (nobody.status_code, nobody.json()["code"]) == (422, "complaint_no_contact")
    reachable = _ok(api.post(C, as_user="service", json={**walk_in, "contact": "13900001111"}), 201)
    assert reachable["status"] == "recorded"
