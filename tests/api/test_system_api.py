"""Status counts and dead letters, for the control room and administrators only."""

from __future__ import annotations

import base64
from datetime import timedelta

from hub.clock import FakeClock
from hub.context import HubContext
from hub.storage.models import DeadLetter
from tests.api.conftest import RaiseAlert, Submit
from tests.conftest import ApiClient


def _dead_letter(context: HubContext, topic: str, payload: bytes, reason: str) -> None:
    with context.db.session() as session:
        session.add(
            DeadLetter(received_at=context.clock.now(), topic=topic, payload=payload, reason=reason)
        )


def test_status_counts_what_the_hub_holds(
    api: ApiClient, raise_leak: RaiseAlert, submit: Submit, context: HubContext
) -> None:
    empty = api.get("/api/v1/status", as_user="operator").json()
    assert set(empty.values()) == {0}
    raise_leak()
    submit()
    _dead_letter(context, "estate/green-garden/x/telemetry", b"{", "invalid JSON")
    counts = api.get("/api/v1/status", as_user="admin").json()
    assert counts == {
        "readings": 0,
        "work_orders_open": 1,
        "work_orders_total": 1,
        "alerts_active": 1,
        "alerts_total": 1,
        "patrol_scans": 0,
        "bills": 0,
        "dead_letters": 1,
    }


def test_dead_letters_newest_first_with_text_or_base64(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    _dead_letter(context, "estate/gg/a/telemetry", b'{"temp": "hot"}', "temp: not a number")
    clock.advance(timedelta(seconds=1))
    binary = b"\xff\x00\xfe"
    _dead_letter(context, "estate/gg/b/telemetry", binary, "not UTF-8")
    letters = api.get("/api/v1/dead-letters", as_user="operator").json()
    assert [(d["topic"], d["payload_encoding"]) for d in letters] == [
        ("estate/gg/b/telemetry", "base64"),
        ("estate/gg/a/telemetry", "utf-8"),
    ]
    assert base64.b64decode(letters[0]["payload"]) == binary
    assert letters[1]["payload"] == '{"temp": "hot"}'
    assert letters[1]["reason"] == "temp: not a number"
    assert letters[0]["received_at"] == clock.now().isoformat()
    assert len(api.get("/api/v1/dead-letters?limit=1", as_user="admin").json()) == 1


def test_system_endpoints_refuse_other_roles(api: ApiClient) -> None:
    for user in ("owner101", "guard", "tech", "service", "finance"):
        assert api.get("/api/v1/status", as_user=user).status_code == 403, user
        assert api.get("/api/v1/dead-letters", as_user=user).status_code == 403, user
