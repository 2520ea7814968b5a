"""Status counts and dead letters, for the control room and administrators only."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta

from sqlalchemy import func, select

from adapters.mqtt.subscriber import ReceivedMessage
from hub.clock import FakeClock
from hub.context import HubContext
from hub.ingest import DEAD_LETTER_KEEP, dead_letter
from hub.storage.models import DeadLetter
from hub.worker import HubWorker
from tests.api.conftest import RaiseAlert, Submit
from tests.conftest import ApiClient


def _dead_letter(context: HubContext, topic: str, payload: bytes, reason: str) -> None:
    with context.db.session() as session:
        dead_letter(session, ReceivedMessage(topic, payload), reason, now=context.clock.now())


def test_status_counts_what_the_hub_holds(
    api: ApiClient, raise_leak: RaiseAlert, submit: Submit, context: HubContext
) -> None:
    empty = api.get("/api/v1/status", as_user="operator").json()["counts"]
    assert set(empty.values()) == {0}
    raise_leak()
    submit()
    _dead_letter(context, "estate/green-garden/x/telemetry", b"{", "invalid JSON")
    counts = api.get("/api/v1/status", as_user="admin").json()["counts"]
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
    letters = api.get("/api/v1/dead-letters", as_user="operator").json()["items"]
    assert [(d["topic"], d["payload_encoding"]) for d in letters] == [
        ("estate/gg/b/telemetry", "base64"),
        ("estate/gg/a/telemetry", "utf-8"),
    ]
    assert base64.b64decode(letters[0]["payload"]) == binary
    assert letters[1]["payload"] == '{"temp": "hot"}'
    assert letters[1]["reason"] == "temp: not a number"
    assert datetime.fromisoformat(letters[0]["received_at"]) == clock.now()
    assert (letters[1]["size"], letters[1]["truncated"]) == (15, False)


def test_an_oversize_message_is_kept_as_its_start_size_and_digest(
    api: ApiClient, context: HubContext
) -> None:
    """Three 10 MB messages once grew the table by 31 MB and one listing answered 63 MB."""
    big = ("中" * (4 * 1024 * 1024)).encode()  # 12 MiB; the kept 4 KiB ends inside a character
    for n in range(3):
        _dead_letter(context, f"estate/gg/m{n}/telemetry", big, "payload is too large")
    with context.db.session() as session:
        kept = session.scalar(select(func.sum(func.length(DeadLetter.payload))))
        assert kept == 3 * DEAD_LETTER_KEEP
    response = api.get("/api/v1/dead-letters", as_user="admin")
    assert len(response.content) < 64 * 1024
    letter = response.json()["items"][0]
    assert (letter["size"], letter["truncated"]) == (len(big), True)
    assert letter["sha256"] == hashlib.sha256(big).hexdigest()
    assert letter["payload_encoding"] == "utf-8" and big.decode().startswith(letter["payload"])
    assert len(letter["payload"].encode()) > DEAD_LETTER_KEEP - 4


def test_dead_letters_come_a_bounded_page_at_a_time(api: ApiClient, context: HubContext) -> None:
    for n in range(5):
        _dead_letter(context, f"estate/gg/d{n}/telemetry", b"{", "not JSON")
    seen: list[str] = []
    path = "/api/v1/dead-letters?limit=2"
    while path:
        page = api.get(path, as_user="operator").json()
        seen += [d["topic"] for d in page["items"]]
        after = page["next_before_id"]
        path = f"/api/v1/dead-letters?limit=2&before_id={after}" if after else ""
    assert seen == [f"estate/gg/d{n}/telemetry" for n in reversed(range(5))]
    assert api.get("/api/v1/dead-letters?limit=201", as_user="admin").status_code == 422


def test_system_endpoints_refuse_other_roles(api: ApiClient) -> None:
    for user in ("owner101", "guard", "tech", "service", "finance"):
        assert api.get("/api/v1/status", as_user=user).status_code == 403, user
        assert api.get("/api/v1/dead-letters", as_user=user).status_code == 403, user


def test_health_reports_workers_broker_and_queues_as_measured(
    api: ApiClient, context: HubContext, clock: FakeClock
) -> None:
    unknown = api.get("/api/v1/status", as_user="operator").json()
    assert (unknown["broker"], unknown["workers"], unknown["ingest_queued"]) == (
        "unknown",
        [],
        None,
    )
    assert unknown["commands"] == {"pending": 0, "oldest_age_s": None}
    worker = HubWorker(context, "mqtt://127.0.0.1:1", context.settings.rules_file, tick_seconds=5)
    worker._connection(True)  # as when subscribed to the broker
    worker.tick_once(clock.now())
    gate = api.get("/api/v1/devices?search=gate-north", as_user="operator").json()[0]["id"]
    api.post(f"/api/v1/devices/{gate}/commands", as_user="operator", json={"command": "open_gate"})
    clock.advance(timedelta(seconds=12))
    live = api.get("/api/v1/status", as_user="admin").json()
    assert live["broker"] == "connected" and live["ingest_queued"] == 0
    [beat] = live["workers"]
    assert (beat["name"], beat["alive"], beat["silent_s"]) == ("1/1", True, 12.0)
    assert live["commands"] == {"pending": 1, "oldest_age_s": 12.0}
    worker._connection(False)
    worker.tick_once(clock.now())
    assert api.get("/api/v1/status", as_user="admin").json()["broker"] == "disconnected"
    clock.advance(timedelta(seconds=16))  # three 5 s heartbeats missed: gone
    gone = api.get("/api/v1/status", as_user="admin").json()
    assert (gone["broker"], gone["workers"][0]["alive"]) == ("unknown", False)
