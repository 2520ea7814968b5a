"""Repair requests (报修) through the API: the whole flow, who may do each step, photos."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from hub.context import HubContext
from hub.image_header import read_header
from hub.settings import get_settings
from tests.api.conftest import JPEG, MP4, PNG, WEBM, Submit, assigned, home_id, staff_id
from tests.conftest import ApiClient

WO = "/api/v1/work-orders"


def test_full_repair_flow_from_request_to_rating(api: ApiClient, submit: Submit) -> None:
    created = submit(photo=("tap.jpg", JPEG, "image/jpeg"))
    assert created.status_code == 201, created.text
    order = created.json()
    assert (order["status"], order["source"], order["has_photo"]) == ("submitted", "owner", True)
    assert order["location"] == "B1/101"
    order_id = order["id"]

    steps = [
        ("service", "accept", None, "accepted"),
        ("service", "assign", {"technician_id": staff_id(api)}, "assigned"),
        ("tech", "start", None, "in_progress"),
        ("tech", "complete", {"report": "replaced the washer"}, "completed"),
        ("owner101", "confirm", {"attitude": 5, "quality": 4, "comment": "很好 good"}, "confirmed"),
    ]
    for user, action, body, status in steps:
        if action == "complete":  # a form: the report and the photos
            moved = api.post(f"{WO}/{order_id}/{action}", as_user=user, data=body)
        else:
            moved = api.post(f"{WO}/{order_id}/{action}", as_user=user, json=body)
        assert moved.status_code == 200, (action, moved.text)
        assert moved.json()["status"] == status

    final = api.get(f"{WO}/{order_id}", as_user="owner101").json()
    assert final["completion_report"] == "replaced the washer"
    assert (final["rating_attitude"], final["rating_quality"]) == (5, 4)
    history = api.get(f"{WO}/{order_id}/history", as_user="owner101").json()
    assert [(h["status"], h["by"]) for h in history] == [
        ("submitted", None),
        ("accepted", "service"),
        ("assigned", "service"),
        ("in_progress", "tech"),
        ("completed", "tech"),
        ("confirmed", "owner101"),
    ]
    assert history[2]["note"] == "派给 tech assigned to tech"
    photo = api.get(f"{WO}/{order_id}/photo", as_user="owner101")
    assert photo.status_code == 200
    assert photo.headers["content-type"] == "image/jpeg"
    assert read_header(photo.content) == read_header(JPEG)  # re-encoded, same picture size
    assert api.get(f"{WO}/{order_id}/photo", as_user="tech").content == photo.content


def test_skipping_a_step_answers_409(api: ApiClient, submit: Submit) -> None:
    order_id = submit().json()["id"]
    technician = {"technician_id": staff_id(api)}
    skipped = api.post(f"{WO}/{order_id}/assign", as_user="service", json=technician)
    assert skipped.status_code == 409
    assert "submitted cannot become assigned" in skipped.json()["detail"]
    assert api.post(f"{WO}/{order_id}/accept", as_user="service").status_code == 200
    assert api.post(f"{WO}/{order_id}/accept", as_user="operator").status_code == 409
    rating = {"attitude": 5, "quality": 5}
    assert api.post(f"{WO}/{order_id}/confirm", as_user="owner101", json=rating).status_code == 409
    assert api.post(f"{WO}/{order_id}/assign", as_user="admin", json=technician).status_code == 200
    report = {"report": "done"}
    assert api.post(f"{WO}/{order_id}/complete", as_user="tech", data=report).status_code == 409
    assert api.get(f"{WO}/{order_id}", as_user="service").json()["status"] == "assigned"


def test_each_step_refuses_the_wrong_role(api: ApiClient, submit: Submit) -> None:
    order_id = submit().json()["id"]
    for user in ("tech", "guard", "finance", "owner101"):
        assert api.post(f"{WO}/{order_id}/accept", as_user=user).status_code == 403, user
    assert api.post(f"{WO}/{order_id}/accept", as_user="operator").status_code == 200
    technician = {"technician_id": staff_id(api)}
    for user in ("tech", "owner101"):
        refused = api.post(f"{WO}/{order_id}/assign", as_user=user, json=technician)
        assert refused.status_code == 403, user
    not_a_tech = {"technician_id": staff_id(api, "guard")}
    wrong = api.post(f"{WO}/{order_id}/assign", as_user="service", json=not_a_tech)
    assert wrong.status_code == 422
    assert (
        api.post(f"{WO}/{order_id}/assign", as_user="service", json=technician).status_code == 200
    )
    for user in ("service", "operator", "owner101"):
        assert api.post(f"{WO}/{order_id}/start", as_user=user).status_code == 403, user


def test_only_the_assigned_technician_works_the_order(api: ApiClient, submit: Submit) -> None:
    created = api.post(
        "/api/v1/auth/staff",
        as_user="admin",
        json={"username": "tech2", "full_name": "Tech Two", "role": "technician"},
    ).json()
    api.accounts["tech2"] = created["initial_password"]
    order_id = assigned(api, submit)
    refused = api.post(f"{WO}/{order_id}/start", as_user="tech2")
    assert refused.status_code == 404  # another technician's order does not exist for them
    assert api.get(WO, as_user="tech2").json() == []
    for path in ("", "/photo", "/history"):  # by id too, not only in the list
        assert api.get(f"{WO}/{order_id}{path}", as_user="tech2").status_code == 404, path
    assert api.get(f"{WO}/{order_id}/history", as_user="tech").status_code == 200
    assert [o["id"] for o in api.get(WO, as_user="tech").json()] == [order_id]
    assert api.post(f"{WO}/{order_id}/start", as_user="tech").status_code == 200
    rating = {"attitude": 5, "quality": 5}
    completed = api.post(f"{WO}/{order_id}/complete", as_user="tech", data={"report": "fixed"})
    assert completed.status_code == 200
    assert api.post(f"{WO}/{order_id}/confirm", as_user="operator", json=rating).status_code == 403


def test_another_owner_sees_nothing_of_it(api: ApiClient, submit: Submit) -> None:
    order_id = submit(photo=("tap.png", PNG, "image/png")).json()["id"]
    for path in ("", "/photo", "/history"):
        assert api.get(f"{WO}/{order_id}{path}", as_user="owner102").status_code == 404, path
    assert api.get(WO, as_user="owner102").json() == []
    assert [o["id"] for o in api.get(WO, as_user="owner101").json()] == [order_id]
    foreign_home = submit("owner102", home=home_id(api, "owner101"))
    assert foreign_home.status_code == 404
    order_id = assigned(api, submit)
    api.post(f"{WO}/{order_id}/start", as_user="tech")
    api.post(f"{WO}/{order_id}/complete", as_user="tech", data={"report": "fixed"})
    rating = {"attitude": 1, "quality": 1}
    assert api.post(f"{WO}/{order_id}/confirm", as_user="owner102", json=rating).status_code == 404
    assert api.get(f"{WO}/{order_id}", as_user="owner101").json()["status"] == "completed"


def test_reading_work_orders_needs_a_role_that_handles_them(api: ApiClient, submit: Submit) -> None:
    order_id = submit().json()["id"]
    for user in ("guard", "finance"):
        assert api.get(WO, as_user=user).status_code == 403, user
        assert api.get(f"{WO}/{order_id}", as_user=user).status_code == 403, user
    for user in ("operator", "service", "admin"):
        assert [o["id"] for o in api.get(f"{WO}?open=true", as_user=user).json()] == [order_id]
    assert api.get(f"{WO}/{order_id}", as_user="tech").status_code == 404  # not assigned yet
    assert api.get(f"{WO}/{order_id}/photo", as_user="owner101").status_code == 404
    assert submit("operator", home=1).status_code == 403


def test_photo_must_be_a_small_jpeg_or_png(api: ApiClient, submit: Submit, hub_env: Path) -> None:
    fake = submit(photo=("tap.jpg", b"<html>not an image</html>", "image/jpeg"))
    assert fake.status_code == 422
    assert "JPEG or PNG" in fake.json()["detail"]
    limit = get_settings().upload_max_bytes
    huge = submit(photo=("tap.jpg", JPEG[:4] + b"\x00" * limit, "image/jpeg"))
    assert huge.status_code == 413
    assert f"upload limit of 5 MB ({limit} bytes)" in huge.json()["detail"]
    assert api.get(WO, as_user="owner101").json() == []
    assert not (hub_env / "uploads").exists() or not any((hub_env / "uploads").iterdir())
    just_fits = submit(photo=("tap.jpg", JPEG + b"\x00" * (limit - len(JPEG)), "image/jpeg"))
    assert just_fits.status_code == 201
    assert len(list((hub_env / "uploads").iterdir())) == 1


def test_a_request_may_carry_a_short_video_instead_of_a_photo(
    api: ApiClient, submit: Submit, context: HubContext
) -> None:
    sent = submit(photo=("leak.bin", WEBM, "application/octet-stream"))  # the name is ignored
    assert sent.status_code == 201, sent.text
    video = api.get(f"{WO}/{sent.json()['id']}/photo", as_user="owner101")
    assert (video.headers["content-type"], video.content) == ("video/webm", WEBM)
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    odd = submit(photo=("leak.mp4", heic, "video/mp4"))
    assert (odd.status_code, odd.json()["code"]) == (422, "video_unsupported")
    context.settings.upload_video_max_bytes = len(MP4) - 1
    big = submit(photo=("leak.mp4", MP4, "video/mp4"))
    assert (big.status_code, big.json()["code"]) == (413, "video_too_large")
    assert len(api.get(WO, as_user="owner101").json()) == 1


def test_homes_and_staff_lists_are_for_their_users(api: ApiClient) -> None:
    homes = api.get("/api/v1/homes", as_user="owner101").json()
    assert [h["label"] for h in homes] == ["B1/101"]
    for user in ("guard", "tech", "finance"):  # operators may list homes now (no owners)
        assert api.get("/api/v1/homes", as_user=user).status_code == 403, user
    technicians = api.get("/api/v1/staff?role=technician", as_user="admin").json()
    assert [(u["username"], u["role"]) for u in technicians] == [("tech", "technician")]
    everyone = {u["username"] for u in api.get("/api/v1/staff", as_user="service").json()}
    assert "owner101" not in everyone and {"tech", "guard"} <= everyone
    assert api.get("/api/v1/staff?role=owner", as_user="service").status_code == 422
    for user in ("guard", "tech", "owner101"):
        assert api.get("/api/v1/staff", as_user=user).status_code == 403, user


def test_the_owners_contact_number_is_encrypted_at_rest_and_shown_masked(
    api: ApiClient, submit: Submit, context: HubContext
) -> None:
    order = submit().json()
    assert api.get(f"{WO}/{order['id']}", as_user="operator").json()["contact"] == "138****5678"
    with context.db.session() as session:
        raw = session.execute(sa.text("SELECT contact FROM work_orders")).scalar_one()
    assert raw and "13812345678" not in raw
