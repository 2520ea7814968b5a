"""Owners reset a forgotten password with a code sent by SMS: through the real outbox, the real
dispatch (`deliver_pending`) and the sandbox provider's sink, with time moved by the clock."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import httpx2
import pytest
from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services import password_reset
from hub.storage.models import (
    AuditEntry,
    CodeClosed,
    OutboxMessage,
    Owner,
    PasswordResetCode,
    User,
)
from tests.conftest import ApiClient
from tests.support.sms import dispatch_sms, sent_sms

REQUEST = "/api/v1/auth/password-reset/request"
CONFIRM = "/api/v1/auth/password-reset/confirm"
NEW = "Reset-Pass-2026"


def ask(api: ApiClient, **account: str) -> httpx2.Response:
    response = api.client.post(REQUEST, json=account)
    assert response.status_code == 202, response.text
    return response


def last_code(context: HubContext, phone: str) -> str:
    texts = [s.text for s in sent_sms(context) if s.phone == phone]
    match = re.search(r"验证码是 (\d{6})", texts[-1])
    assert match is not None, texts[-1]
    return match.group(1)


def confirm(api: ApiClient, code: str, password: str = NEW, **account: str) -> httpx2.Response:
    body: dict[str, Any] = {**account, "code": code, "new_password": password}
    return api.client.post(CONFIRM, json=body)


def login(api: ApiClient, username: str, password: str) -> httpx2.Response:
    return api.client.post("/api/v1/auth/token", data={"username": username, "password": password})


def audit_actions(context: HubContext) -> list[tuple[str, str]]:
    with context.db.session() as session:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action.like("password_reset%"))
            .order_by(AuditEntry.id)
        )
        return [(row.action, row.detail) for row in rows]


def test_an_owner_resets_with_the_code_from_the_sms_and_logs_in_with_the_new_password(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    initial = api.accounts["owner101"]
    asked = ask(api, username="owner101")
    assert sent_sms(context) == []  # only the dispatcher sends
    assert (dispatch_sms(context), dispatch_sms(context)) == (1, 0)  # twice run, sent once
    [sms] = sent_sms(context)
    assert sms.phone == "13812345678"
    assert sms.text.startswith("【物业】您的验证码是 ")
    assert "10分钟内有效" in sms.text
    assert asked.json()["code_valid_minutes"] == 10
    clock.advance(timedelta(minutes=9, seconds=59))
    done = confirm(api, last_code(context, "13812345678"), username="owner101")
    assert done.status_code == 200, done.text
    assert done.json() == {"username": "owner101"}
    assert login(api, "owner101", initial).status_code == 403
    logged_in = login(api, "owner101", NEW)
    assert logged_in.status_code == 200
    assert logged_in.json()["must_change_password"] is False
    again = confirm(api, last_code(context, "13812345678"), "Another-Pass-1", username="owner101")
    assert again.status_code == 422  # a used code is dead
    actions = [action for action, _ in audit_actions(context)]
    assert actions == ["password_reset_requested", "password_reset", "password_reset_failed"]
    code = last_code(context, "13812345678")
    with context.db.session() as session:  # the code is kept only as a keyed hash
        row = session.scalars(select(PasswordResetCode)).one()
        assert row.code_hash == password_reset.code_hash(context.settings, row.user_id, code)
        assert row.code_hash != hashlib.sha256(code.encode()).hexdigest()
        assert row.closed_reason is CodeClosed.USED
    assert not any(code in d or "13812345678" in d for _, d in audit_actions(context))


def test_by_phone_in_any_usual_format_and_the_answer_names_the_username(
    api: ApiClient, context: HubContext
) -> None:
    ask(api, phone="+86 138-1234-5678")
    dispatch_sms(context)
    done = confirm(api, last_code(context, "13812345678"), phone="13812345678")
    assert done.status_code == 200, done.text
    assert done.json() == {"username": "owner101"}


def test_five_wrong_codes_kill_the_code(api: ApiClient, context: HubContext) -> None:
    ask(api, username="owner101")
    dispatch_sms(context)
    code = last_code(context, "13812345678")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    answers = [confirm(api, wrong, username="owner101") for _ in range(5)]
    assert {(a.status_code, a.json()["detail"]) for a in answers} == {
        (422, "code: wrong or expired verification code")
    }
    assert confirm(api, code, username="owner101").status_code == 422  # too late, even right
    assert login(api, "owner101", NEW).status_code == 403
    details = [detail for action, detail in audit_actions(context) if action.endswith("failed")]
    assert details[4] == "wrong code, try 5 of 5"
    assert details[5] == "no code requested or code used"


def test_a_code_expires_after_ten_minutes(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    ask(api, username="owner101")
    dispatch_sms(context)
    clock.advance(timedelta(minutes=10))
    expired = confirm(api, last_code(context, "13812345678"), username="owner101")
    assert expired.status_code == 422
    assert audit_actions(context)[-1] == ("password_reset_failed", "code expired")


@pytest.mark.parametrize(
    "account",
    [
        {"username": "nobody"},
        {"username": "operator"},
        {"username": "admin"},
        {"phone": "13000000000"},
    ],
)
def test_unknown_and_staff_accounts_get_the_same_answer_and_nothing_is_sent(
    api: ApiClient, context: HubContext, account: dict[str, str]
) -> None:
    owner = ask(api, username="owner201")
    other = ask(api, **account)
    assert other.json() == owner.json()
    assert dispatch_sms(context) == 1  # owner201's only
    assert [s.phone for s in sent_sms(context)] == ["13700001111"]
    with context.db.session() as session:
        assert len(session.scalars(select(OutboxMessage)).all()) == 1


def test_an_inactive_owner_is_sent_nothing(api: ApiClient, context: HubContext) -> None:
    with context.db.session() as session:
        session.scalars(select(User).where(User.username == "owner101")).one().active = False
    ask(api, username="owner101")
    assert dispatch_sms(context) == 0
    assert audit_actions(context) == [("password_reset_requested", "no active owner with a phone")]


def test_a_phone_two_owners_share_names_nobody(api: ApiClient, context: HubContext) -> None:
    with context.db.session() as session:
        owners = session.scalars(select(Owner).order_by(Owner.id)).all()
        owners[1].phone = owners[0].phone
    ask(api, phone=owners[0].phone or "")
    assert dispatch_sms(context) == 0
    ask(api, username="owner101")  # the username still tells them apart
    assert dispatch_sms(context) == 1


def test_owner101s_code_does_not_reset_owner102(api: ApiClient, context: HubContext) -> None:
    ask(api, username="owner101")
    ask(api, username="owner102")
    assert dispatch_sms(context) == 2
    code_101 = last_code(context, "13812345678")
    if code_101 == last_code(context, "13998765432"):  # one in a million: the same six digits
        pytest.skip("both owners drew the same code")
    assert confirm(api, code_101, username="owner102").status_code == 422
    assert login(api, "owner102", api.accounts["owner102"]).status_code == 200


def test_requests_are_rate_limited_silently(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    first = ask(api, username="owner101")
    assert ask(api, username="owner101").json() == first.json()  # within 60 s: same answer
    assert dispatch_sms(context) == 1
    for _ in range(4):
        clock.advance(timedelta(seconds=61))
        ask(api, username="owner101")
    assert dispatch_sms(context) == 4
    clock.advance(timedelta(seconds=61))
    ask(api, username="owner101")  # the sixth of the day
    assert dispatch_sms(context) == 0
    assert len(sent_sms(context)) == 5
    clock.advance(timedelta(days=1))
    ask(api, username="owner101")
    assert dispatch_sms(context) == 1
    limited = [d for a, d in audit_actions(context) if d.startswith("rate limited")]
    assert limited == ["rate limited: 1 per 60 s", "rate limited: 5 per day"]


def test_a_newer_code_replaces_the_older_one(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    ask(api, username="owner101")
    dispatch_sms(context)
    older = last_code(context, "13812345678")
    clock.advance(timedelta(seconds=61))
    ask(api, username="owner101")
    dispatch_sms(context)
    newer = last_code(context, "13812345678")
    if older != newer:
        assert confirm(api, older, username="owner101").status_code == 422
    assert confirm(api, newer, username="owner101").status_code == 200


def test_the_new_password_must_pass_the_policy_and_the_code_survives_a_weak_one(
    api: ApiClient, context: HubContext
) -> None:
    ask(api, username="owner101")
    dispatch_sms(context)
    code = last_code(context, "13812345678")
    weak = confirm(api, code, "short", username="owner101")
    assert weak.status_code == 422
    assert "password needs" in weak.json()["detail"]
    assert confirm(api, code, username="owner101").status_code == 200


@pytest.mark.parametrize("body", [{}, {"username": "owner101", "phone": "13812345678"}])
def test_exactly_one_of_username_and_phone(api: ApiClient, body: dict[str, str]) -> None:
    assert api.client.post(REQUEST, json=body).status_code == 422


def test_a_reset_ends_every_login_the_account_had_and_refuses_a_recent_password(
    api: ApiClient, context: HubContext
) -> None:
    """Whoever knew the old password is logged out: their tokens stop working at once."""
    token = api.token("owner101")
    me = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/v1/auth/me", headers=me).status_code == 200
    ask(api, username="owner101")
    dispatch_sms(context)
    code = last_code(context, "13812345678")
    reused = confirm(api, code, api.accounts["owner101"], username="owner101")
    assert reused.status_code == 422 and "used recently" in reused.text
    assert confirm(api, code, username="owner101").status_code == 200
    assert api.client.get("/api/v1/auth/me", headers=me).status_code == 401
