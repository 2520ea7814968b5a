"""Owners register for an account bound to a home: the SMS code proves the phone, customer service
opens the account; through the real outbox and the sandbox SMS sink, time moved by the clock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.storage.models import AuditEntry
from tests.api.registration_support import (
    PASSWORD,
    PHONE,
    apply,
    code_for,
    login,
    verified,
    verify,
)
from tests.conftest import ApiClient
from tests.support.sms import dispatch_sms, sent_sms


def test_the_home_picker_names_homes_but_nobody_living_there(api: ApiClient) -> None:
    homes = api.client.get("/api/v1/auth/registration/homes")
    assert homes.status_code == 200
    labels = [h["label"] for h in homes.json()]
    assert labels == ["B1/101", "B1/102", "B2/201", "B3/1201", "B3/S01"]
    assert "张伟" not in homes.text and "owners" not in homes.text


def test_an_applicant_verifies_then_customer_service_opens_the_account(
    api: ApiClient, context: HubContext
) -> None:
    registration_id = verified(api, context)
    assert login(api, PHONE).status_code == 403  # not before customer service confirms
    [waiting] = api.get("/api/v1/registrations", as_user="service").json()
    assert (waiting["id"], waiting["home"], waiting["state"]) == (
        registration_id,
        "B1/102",
        "verified",
    )
    assert waiting["phone"] == "136****6666"
    confirmed = api.post(f"/api/v1/registrations/{registration_id}/confirm", as_user="service")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["state"] == "confirmed"
    assert api.get("/api/v1/registrations", as_user="service").json() == []
    dispatch_sms(context)
    assert "您的账号已开通" in sent_sms(context)[-1].text
    token = login(api, PHONE)
    assert token.status_code == 200, token.text
    assert token.json()["must_change_password"] is False  # the password the owner chose
    api.accounts[PHONE] = PASSWORD
    assert [h["label"] for h in api.get("/api/v1/homes", as_user=PHONE).json()] == ["B1/102"]
    mine = api.get("/api/v1/homes", as_user=PHONE).json()[0]["id"]
    others = api.get("/api/v1/homes/1/household", as_user=PHONE)
    assert mine != 1 and others.status_code == 404  # only their own home
    again = api.post(f"/api/v1/registrations/{registration_id}/confirm", as_user="service")
    assert (again.status_code, again.json()["code"]) == (409, "registration_decided")


def test_a_rejection_reaches_the_applicant_by_sms(api: ApiClient, context: HubContext) -> None:
    registration_id = verified(api, context)
    rejected = api.post(
        f"/api/v1/registrations/{registration_id}/reject",
        as_user="service",
        json={"reason": "房产证姓名不符"},
    )
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["state"], rejected.json()["reason"]) == ("rejected", "房产证姓名不符")
    dispatch_sms(context)
    assert "房产证姓名不符" in sent_sms(context)[-1].text
    assert login(api, PHONE).status_code == 403


def test_a_code_expires_after_ten_minutes(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    registration_id = int(apply(api).json()["id"])
    code = code_for(context)
    clock.advance(timedelta(minutes=10))
    expired = verify(api, registration_id, code)
    assert (expired.status_code, expired.json()["code"]) == (422, "wrong_registration_code")
    assert api.get("/api/v1/registrations", as_user="service").json() == []


def test_five_wrong_codes_close_the_application(api: ApiClient, context: HubContext) -> None:
    registration_id = int(apply(api).json()["id"])
    code = code_for(context)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert {verify(api, registration_id, wrong).status_code for _ in range(5)} == {422}
    assert verify(api, registration_id, code).status_code == 422  # too late, even right
    with context.db.session() as session:
        details = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "registration_code_failed")
        ).all()
    assert details[-1] == "wrong code, try 5 of 5"


def test_codes_are_throttled_and_a_newer_application_replaces_the_older(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    first = int(apply(api).json()["id"])
    old_code = code_for(context)
    too_soon = apply(api)
    assert (too_soon.status_code, too_soon.json()["code"]) == (429, "registration_throttled")
    clock.advance(timedelta(seconds=61))
    second = apply(api)
    assert second.status_code == 201
    assert verify(api, first, old_code).status_code == 422  # replaced
    assert verify(api, int(second.json()["id"]), code_for(context)).status_code == 200
    pending = apply(api)
    assert (pending.status_code, pending.json()["code"]) == (409, "registration_pending")


def test_bad_applications_are_refused_with_a_clear_code(api: ApiClient) -> None:
    taken = apply(api, phone="+86 138-1234-5678")  # owner101's phone
    assert (taken.status_code, taken.json()["code"]) == (409, "registration_phone_taken")
    weak = apply(api, password="abcdefgh")
    assert (weak.status_code, weak.json()["code"]) == (422, "password_policy")
    landline = apply(api, phone="021-5555-1234")
    assert (landline.status_code, landline.json()["code"]) == (422, "household_phone")


def test_only_customer_service_and_admins_decide(api: ApiClient, context: HubContext) -> None:
    registration_id = verified(api, context)
    for user in ("owner101", "operator", "tech"):
        assert api.get("/api/v1/registrations", as_user=user).status_code == 403
        url = f"/api/v1/registrations/{registration_id}/confirm"
        assert api.post(url, as_user=user).status_code == 403
    assert api.client.get("/api/v1/registrations").status_code == 401
    [listed] = api.get("/api/v1/registrations", as_user="admin").json()
    assert listed["phone"] == "136****6666"
    missing = api.post("/api/v1/registrations/999/confirm", as_user="service")
    assert missing.status_code == 404
