"""Helpers for the registration tests: apply for an account, read the code from the SMS sink."""

from __future__ import annotations

import re
from typing import Any

import httpx2

from hub.context import HubContext
from tests.conftest import ApiClient
from tests.support.sms import dispatch_sms, sent_sms

APPLY = "/api/v1/auth/registration"
VERIFY = "/api/v1/auth/registration/verify"
PHONE = "13655556666"
PASSWORD = "Garden-Gate-73!"


def home_id_of(api: ApiClient, label: str) -> int:
    homes = api.client.get(f"{APPLY}/homes").json()
    return int(next(h["id"] for h in homes if h["label"] == label))


def apply(
    api: ApiClient, label: str = "B1/102", phone: str = PHONE, **extra: Any
) -> httpx2.Response:
    body = {"home_id": home_id_of(api, label), "name": "赵敏 Zhao Min", "phone": phone}
    return api.client.post(APPLY, json={**body, "password": PASSWORD, **extra})


def code_for(context: HubContext, phone: str = PHONE) -> str:
    dispatch_sms(context)
    texts = [s.text for s in sent_sms(context) if s.phone == phone]
    match = re.search(r"验证码是 (\d{6})", texts[-1])
    assert match is not None, texts[-1]
    return match.group(1)


def verify(api: ApiClient, registration_id: int, code: str) -> httpx2.Response:
    return api.client.post(VERIFY, json={"id": registration_id, "code": code})


def verified(api: ApiClient, context: HubContext, label: str = "B1/102") -> int:
    """A verified application for `label`, waiting for customer service."""
    applied = apply(api, label)
    assert applied.status_code == 201, applied.text
    registration_id = int(applied.json()["id"])
    assert verify(api, registration_id, code_for(context)).status_code == 200
    return registration_id


def login(api: ApiClient, username: str, password: str = PASSWORD) -> httpx2.Response:
    return api.client.post("/api/v1/auth/token", data={"username": username, "password": password})
