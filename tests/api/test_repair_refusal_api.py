"""An owner refuses a poor repair, which goes back to the technician with the reason and is
counted; a request is cancelled before work starts, by the owner or by customer service with a
reason; never by another owner, never once work has started."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Submit, assigned
from tests.conftest import ApiClient

WO = "/api/v1/work-orders"


def _completed(api: ApiClient, submit: Submit) -> int:
    order_id = assigned(api, submit)
    assert api.post(f"{WO}/{order_id}/start", as_user="tech").status_code == 200
    done = api.post(f"{WO}/{order_id}/complete", as_user="tech", data={"report": "换了垫圈 washer"})
    assert done.status_code == 200, done.text
    return order_id


def test_a_refused_repair_goes_back_to_the_technician_and_is_counted(
    api: ApiClient, submit: Submit
) -> None:
    order_id = _completed(api, submit)
    blank = api.post(f"{WO}/{order_id}/refuse", as_user="owner101", json={"reason": " "})
    assert (blank.status_code, blank.json()["code"]) == (422, "reason_required")
    why = {"reason": "还在漏水 Still dripping"}
    refused = api.post(f"{WO}/{order_id}/refuse", as_user="owner101", json=why)
    assert refused.status_code == 200, refused.text
    order: Any = refused.json()
    assert (order["status"], order["refused_count"], order["completed_at"]) == (
        "in_progress",
        1,
        None,
    )
    inbox: Any = api.get("/api/v1/notifications", as_user="tech").json()
    assert inbox == []  # delivered by the dispatcher, not yet
    history: Any = api.get(f"{WO}/{order_id}/history", as_user="owner101").json()
    assert history[-1]["note"] == "业主不满意，返工 Sent back by the owner: 还在漏水 Still dripping"
    assert history[-1]["by"] == "owner101"

    again = api.post(f"{WO}/{order_id}/complete", as_user="tech", data={"report": "换了阀芯"})
    assert again.status_code == 200, again.text
    assert api.post(f"{WO}/{order_id}/refuse", as_user="service", json=why).status_code == 200
    assert api.get(f"{WO}/{order_id}", as_user="service").json()["refused_count"] == 2


def test_only_a_completed_repair_of_ones_own_can_be_refused(api: ApiClient, submit: Submit) -> None:
    order_id = assigned(api, submit)
    why = {"reason": "不满意"}
    early = api.post(f"{WO}/{order_id}/refuse", as_user="owner101", json=why)
    assert (early.status_code, early.json()["code"]) == (409, "invalid_transition")
    done = _completed(api, submit)
    assert api.post(f"{WO}/{done}/refuse", as_user="owner102", json=why).status_code == 404
    for role in ("tech", "operator", "admin"):
        assert api.post(f"{WO}/{done}/refuse", as_user=role, json=why).status_code == 403, role


def test_an_owner_cancels_before_work_starts(api: ApiClient, submit: Submit) -> None:
    order_id = assigned(api, submit)
    cancelled = api.post(f"{WO}/{order_id}/cancel", as_user="owner101", json={})
    assert cancelled.status_code == 200, cancelled.text
    order: Any = cancelled.json()
    assert order["status"] == "cancelled" and order["cancelled_at"] is not None
    assert order["due_at"] is None  # no clock runs on a cancelled request
    history: Any = api.get(f"{WO}/{order_id}/history", as_user="owner101").json()
    assert history[-1]["note"] == "业主取消 Cancelled by the owner"

    started = _completed(api, submit)
    late = api.post(f"{WO}/{started}/cancel", as_user="owner101", json={})
    assert (late.status_code, late.json()["code"]) == (409, "order_started")


def test_customer_service_cancels_with_a_reason_and_another_owner_cannot(
    api: ApiClient, submit: Submit
) -> None:
    order_id = submit().json()["id"]
    assert api.post(f"{WO}/{order_id}/cancel", as_user="owner102", json={}).status_code == 404
    silent = api.post(f"{WO}/{order_id}/cancel", as_user="service", json={})
    assert (silent.status_code, silent.json()["code"]) == (422, "reason_required")
    why = {"reason": "业主电话撤销 The owner called it off"}
    done = api.post(f"{WO}/{order_id}/cancel", as_user="service", json=why)
    assert done.status_code == 200, done.text
    assert done.json()["cancel_reason"] == "业主电话撤销 The owner called it off"
    for role in ("tech", "guard", "operator"):
        assert api.post(f"{WO}/{order_id}/cancel", as_user=role, json=why).status_code == 403


def test_customer_service_lists_the_repairs_awaiting_confirmation(
    api: ApiClient, submit: Submit
) -> None:
    done = _completed(api, submit)
    waiting = submit().json()["id"]
    listed: Any = api.get(f"{WO}?status=completed", as_user="service").json()
    assert [o["id"] for o in listed] == [done]
    assert api.get(f"{WO}?status=completed", as_user="owner102").json() == []
    assert [o["id"] for o in api.get(f"{WO}?status=submitted", as_user="service").json()] == [
        waiting
    ]
    assert api.get(f"{WO}?status=bogus", as_user="service").status_code == 422
