"""Dispatch (派单), the technician's steps and customer service's phone-in, through the API."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import cv2
import numpy as np

from hub.context import HubContext
from hub.settings import get_settings
from hub.storage.models import DutyShift, User
from tests.api.conftest import JPEG, PNG, Submit
from tests.conftest import ApiClient

WO = "/api/v1/work-orders"


def _new_technician(api: ApiClient, username: str) -> int:
    created = api.post(
        "/api/v1/auth/staff",
        as_user="admin",
        json={"username": username, "full_name": f"维修工 {username}", "role": "technician"},
    ).json()
    api.accounts[username] = created["initial_password"]
    return int(created["id"])


def _on_duty_all_day(context: HubContext, username: str, category: str = "plumbing") -> None:
    with context.db.session() as session:
        user = session.query(User).filter_by(username=username).one()
        session.add(
            DutyShift(
                site_id=1, user_id=user.id, category=category, starts=time(0), ends=time(23, 59)
            )
        )


def _accepted(api: ApiClient, submit: Submit) -> int:
    order_id = int(submit().json()["id"])
    assert api.post(f"{WO}/{order_id}/accept", as_user="operator").status_code == 200
    return order_id


def test_operator_dispatches_to_a_candidate_on_duty_first(
    api: ApiClient, submit: Submit, context: HubContext
) -> None:
    order_id = _accepted(api, submit)  # asked while nobody was on duty: dispatched by hand
    tech2 = _new_technician(api, "tech2")
    _on_duty_all_day(context, "tech2")
    staff = api.get("/api/v1/staff?role=technician", as_user="operator").json()
    assert [u["username"] for u in staff] == ["tech", "tech2"]

    found = api.get(f"{WO}/{order_id}/candidates", as_user="operator").json()
    assert [(c["technician"]["username"], c["on_duty"], c["suggested"]) for c in found] == [
        ("tech2", True, True),
        ("tech", False, False),
    ]
    assert [c["open_orders"] for c in found] == [0, 0]

    dispatched = api.post(
        f"{WO}/{order_id}/assign", as_user="operator", json={"technician_id": tech2}
    )
    assert dispatched.status_code == 200, dispatched.text
    order = dispatched.json()
    assert order["status"] == "assigned"
    assert order["assignee"] == {"id": tech2, "username": "tech2", "name": "维修工 tech2"}
    again = api.get(f"{WO}/{order_id}/candidates", as_user="service").json()
    assert [(c["technician"]["username"], c["open_orders"]) for c in again] == [
        ("tech2", 1),
        ("tech", 0),
    ]
    for user in ("tech", "guard", "owner101"):
        assert api.get(f"{WO}/{order_id}/candidates", as_user=user).status_code == 403, user


def test_technician_accepts_arrives_and_completes_with_photos(
    api: ApiClient, submit: Submit, hub_env: Path
) -> None:
    order_id = _accepted(api, submit)
    tech = next(
        u["id"]
        for u in api.get("/api/v1/staff", as_user="operator").json()
        if u["username"] == "tech"
    )
    api.post(f"{WO}/{order_id}/assign", as_user="operator", json={"technician_id": tech})
    early = api.post(f"{WO}/{order_id}/arrive", as_user="tech")
    assert early.status_code == 409  # accept (start) first
    assert api.post(f"{WO}/{order_id}/start", as_user="tech").json()["status"] == "in_progress"
    arrived = api.post(f"{WO}/{order_id}/arrive", as_user="tech").json()
    assert arrived["status"] == "in_progress" and arrived["arrived_at"] is not None
    assert api.post(f"{WO}/{order_id}/arrive", as_user="tech").status_code == 409  # once

    photos = [("photos", (f"p{i}.jpg", JPEG, "image/jpeg")) for i in range(2)]
    photos.append(("photos", ("p.png", PNG, "image/png")))
    done = api.post(
        f"{WO}/{order_id}/complete",
        as_user="tech",
        data={"report": "换了阀芯 new cartridge"},
        files=photos,
    )
    assert done.status_code == 200, done.text
    order = done.json()
    assert order["status"] == "completed" and order["completion_report"] == "换了阀芯 new cartridge"
    assert [p["content_type"] for p in order["photos"]] == ["image/jpeg"] * 3  # re-encoded
    first = order["photos"][0]
    image = api.get(first["url"], as_user="owner101")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert len(image.content) == first["size"]
    assert api.get(first["url"], as_user="owner102").status_code == 404  # another owner

    detail = api.get(f"{WO}/{order_id}", as_user="owner101").json()
    notes = [(step["status"], step["by"]) for step in detail["timeline"]]
    assert notes[-3:] == [("in_progress", "tech"), ("in_progress", "tech"), ("completed", "tech")]
    assert detail["timeline"][-2]["note"] == "到场 arrived on site"

    confirmed = api.post(
        f"{WO}/{order_id}/confirm", as_user="service", json={"attitude": 5, "quality": 5}
    )
    assert confirmed.json()["status"] == "confirmed"  # customer service, for the owner on the phone


def test_completion_photos_are_checked_and_at_most_four(
    api: ApiClient, submit: Submit, hub_env: Path
) -> None:
    order_id = _accepted(api, submit)
    tech = next(
        u["id"]
        for u in api.get("/api/v1/staff", as_user="operator").json()
        if u["username"] == "tech"
    )
    api.post(f"{WO}/{order_id}/assign", as_user="operator", json={"technician_id": tech})
    api.post(f"{WO}/{order_id}/start", as_user="tech")
    report = {"report": "fixed"}

    def complete(*files: tuple[str, bytes, str]) -> dict[str, object]:
        sent = [("photos", f) for f in files]
        answer = api.post(f"{WO}/{order_id}/complete", as_user="tech", data=report, files=sent)
        body: dict[str, object] = {**answer.json(), "http": answer.status_code}
        return body

    five = complete(*[("p.jpg", JPEG, "image/jpeg")] * 5)
    assert (five["http"], five["code"]) == (413, "too_large")
    hostile = complete(("p.jpg", b"<script>alert(1)</script>", "image/jpeg"))
    assert (hostile["http"], hostile["code"]) == (422, "invalid_input")
    limit = get_settings().upload_max_bytes
    huge = complete(("p.jpg", JPEG[:4] + b"\x00" * limit, "image/jpeg"))
    assert (huge["http"], huge["code"]) == (413, "too_large")
    assert not (hub_env / "uploads").exists() or not any((hub_env / "uploads").iterdir())
    assert api.get(f"{WO}/{order_id}", as_user="tech").json()["status"] == "in_progress"
    rng = np.random.default_rng(7)  # noise: a phone-sized JPEG, over the 1 MiB form limit
    noise = rng.integers(0, 255, (900, 1200, 3), dtype=np.uint8)
    big = cv2.imencode(".jpg", noise, [cv2.IMWRITE_JPEG_QUALITY, 98])[1].tobytes()
    assert 1024 * 1024 < len(big) < limit
    done = complete(("a.jpg", big, "image/jpeg"), ("b.jpg", big, "image/jpeg"))
    assert done["http"] == 200, done
    assert len(list((hub_env / "uploads").iterdir())) == 2


def test_customer_service_phones_in_for_an_owner(api: ApiClient) -> None:
    found = api.get("/api/v1/homes?q=张伟", as_user="service").json()
    assert [(h["label"], h["owners"]) for h in found] == [("B1/101", ["张伟 Zhang Wei"])]
    assert [h["label"] for h in api.get("/api/v1/homes?q=B2/201", as_user="service").json()] == [
        "B2/201"
    ]
    assert len(api.get("/api/v1/homes", as_user="service").json()) == 5
    mine = api.get("/api/v1/homes?q=B2", as_user="owner101").json()
    assert [(h["label"], h["owners"]) for h in mine] == [("B1/101", [])]  # only their own

    form = {
        "home_id": str(found[0]["id"]),
        "category": "electrical",
        "title": "客厅跳闸 Living room trips",
        "description": "业主来电 owner called",
        "priority": "high",
        "contact": "13812345678",
    }
    created = api.post(WO, as_user="service", data=form)
    assert created.status_code == 201, created.text
    order = created.json()
    assert (order["source"], order["status"], order["priority"]) == ("staff", "accepted", "high")
    assert order["home"] == "B1/101" and order["accepted_at"] == order["created_at"]
    complete = next(c for c in order["clocks"] if c["name"] == "complete")
    assert order["due_at"] == complete["due_at"]  # the next deadline: done a day after the call
    due = datetime.fromisoformat(complete["due_at"]) - datetime.fromisoformat(order["created_at"])
    assert due == timedelta(days=1)
    assert [c["name"] for c in order["clocks"] if c["met_at"]] == ["accept"]
    assert [o["id"] for o in api.get(WO, as_user="owner101").json()] == [order["id"]]
    assert api.get(f"{WO}/{order['id']}", as_user="owner102").status_code == 404
    board = api.get(f"{WO}?open=true", as_user="operator").json()
    assert [o["number"] for o in board] == [order["number"]]

    for user in ("operator", "tech", "guard"):
        assert api.post(WO, as_user=user, data=form).status_code == 403, user
    for user in ("tech", "guard"):
        assert api.get("/api/v1/homes?q=1", as_user=user).status_code == 403, user
    assert api.post(WO, as_user="service", data={**form, "home_id": "9999"}).status_code == 404
