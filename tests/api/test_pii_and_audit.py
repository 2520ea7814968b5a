"""Owner contacts in full only for those whose duty needs it; staff reads and every unmasked
read in the audit log; admins search the log; old entries age out."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx2
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from adapters.mqtt.broker import free_port
from hub.cli import app as cli
from hub.clock import FakeClock
from hub.context import HubContext
from hub.dispatcher import Dispatcher
from hub.services import audit
from hub.settings import Settings
from tests.api.conftest import JPEG, Submit
from tests.conftest import ApiClient

WO = "/api/v1/work-orders"
FULL, MASKED = "13812345678", "138****5678"
ROLES = ("admin", "operator", "tech", "guard", "finance", "service", "owner101", "owner201")


def _json(response: object) -> Any:
    assert isinstance(response, httpx2.Response), response
    assert response.status_code == 200, response.text
    return response.json()


def _audit(api: ApiClient, query: str = "") -> dict[str, Any]:
    page: dict[str, Any] = _json(api.get(f"/api/v1/audit?limit=500{query}", as_user="admin"))
    return page


def _entries(api: ApiClient, action: str, target: str) -> list[str]:
    """Who (by username) has an `action` entry on `target`."""
    page = _audit(api, f"&action={action}&target={target}")
    return sorted(str(item["username"]) for item in page["items"] if item["target"] == target)


def _assign_to_tech(api: ApiClient, order_id: int) -> None:
    tech_id = next(
        u["id"] for u in _json(api.get("/api/v1/staff?role=technician", as_user="service"))
    )
    assert _json(api.post(f"{WO}/{order_id}/accept", as_user="service"))
    body = {"technician_id": tech_id}
    assert _json(api.post(f"{WO}/{order_id}/assign", as_user="service", json=body))


def test_the_contact_is_in_full_only_for_its_owner_customer_service_and_the_assignee(
    api: ApiClient, submit: Submit
) -> None:
    order = submit().json()
    assert order["contact"] == FULL  # the owner who gave it
    order_id, target = order["id"], f"work_order:{order['id']}"
    _assign_to_tech(api, order_id)
    seen = {
        user: _json(api.get(f"{WO}/{order_id}", as_user=user))["contact"]
        for user in ("admin", "operator", "service", "tech", "owner101")
    }
    assert seen == {
        "admin": MASKED,
        "operator": MASKED,
        "service": FULL,
        "tech": FULL,
        "owner101": FULL,
    }
    for user in ("service", "tech", "operator", "owner101"):  # lists stay masked for staff
        listed = {o["id"]: o["contact"] for o in _json(api.get(WO, as_user=user))}
        assert listed[order_id] == (FULL if user == "owner101" else MASKED), user
    assert _entries(api, "pii_read", target) == ["service", "tech"]


def test_a_technician_taken_off_the_order_no_longer_reads_the_number(
    api: ApiClient, submit: Submit
) -> None:
    order_id = submit().json()["id"]
    _assign_to_tech(api, order_id)
    assert _json(api.get(f"{WO}/{order_id}", as_user="tech"))["contact"] == FULL
    created = api.post(
        "/api/v1/auth/staff",
        as_user="admin",
        json={"username": "tech2", "full_name": "李师傅", "role": "technician"},
    )
    assert isinstance(created, httpx2.Response) and created.status_code == 201
    api.accounts["tech2"] = created.json()["initial_password"]
    again = {"technician_id": created.json()["id"]}
    assert _json(api.post(f"{WO}/{order_id}/assign", as_user="service", json=again))
    assert _json(api.get(f"{WO}/{order_id}", as_user="tech2"))["contact"] == FULL
    gone = api.get(f"{WO}/{order_id}", as_user="tech")
    assert isinstance(gone, httpx2.Response) and gone.status_code == 404


def test_staff_reads_of_orders_photos_and_history_are_audited_owners_own_are_not(
    api: ApiClient, submit: Submit
) -> None:
    order_id = submit(photo=("tap.jpg", JPEG, "image/jpeg")).json()["id"]
    target = f"work_order:{order_id}"
    for user in ("operator", "owner101"):
        _json(api.get(f"{WO}/{order_id}", as_user=user))
        _json(api.get(f"{WO}/{order_id}/history", as_user=user))
        photo = api.get(f"{WO}/{order_id}/photo", as_user=user)
        assert isinstance(photo, httpx2.Response) and photo.status_code == 200
        _json(api.get(WO, as_user=user))
    reads = _audit(api, "&action=read")["items"]
    mine = [(r["username"], r["target"], r["detail"]) for r in reads if r["target"] != "audit"]
    assert sorted(mine) == [
        ("operator", target, ""),
        ("operator", target, "history"),
        ("operator", target, "photo"),
        ("operator", "work_orders", "1 rows"),
    ]
    assert _entries(api, "pii_read", target) == []  # the operator saw it masked


def test_only_admins_read_the_audit_log(api: ApiClient) -> None:
    for user in ROLES[1:]:
        refused = api.get("/api/v1/audit", as_user=user)
        assert isinstance(refused, httpx2.Response) and refused.status_code == 403, user
    anonymous = api.client.get("/api/v1/audit")
    assert anonymous.status_code == 401


def test_the_audit_log_filters_and_pages(api: ApiClient, submit: Submit, clock: FakeClock) -> None:
    start = clock.now()
    order_id = submit().json()["id"]
    _assign_to_tech(api, order_id)
    clock.advance(timedelta(hours=1))
    later = clock.now()
    _json(api.get(f"{WO}/{order_id}", as_user="service"))
    service_id = next(
        u["id"]
        for u in _json(api.get("/api/v1/staff", as_user="admin"))
        if u["username"] == "service"
    )
    page = _audit(api, f"&user_id={service_id}&since={later.isoformat().replace('+', '%2B')}")
    assert {(i["action"], i["target"]) for i in page["items"] if i["action"] != "login"} == {
        ("read", f"work_order:{order_id}"),
        ("pii_read", f"work_order:{order_id}"),
    }
    before = _audit(api, f"&until={later.isoformat().replace('+', '%2B')}")
    times = [datetime.fromisoformat(i["at"]) for i in before["items"]]
    assert times and all(start <= at < later for at in times)
    assert _audit(api, "&target=work_order%25")["total"] == 0  # % is a character, not a wildcard
    first = _json(api.get("/api/v1/audit?limit=2", as_user="admin"))
    cursor = first["next_before_id"]
    second = _json(api.get(f"/api/v1/audit?limit=2&before_id={cursor}", as_user="admin"))
    everything = _audit(api, f"&before_id={first['items'][0]['id'] + 1}")  # as first saw it
    assert first["total"] > 4
    assert len(first["items"]) == 2 and len(second["items"]) == 2
    assert [i["id"] for i in first["items"] + second["items"]] == [
        i["id"] for i in everything["items"][:4]
    ]
    naive = api.get("/api/v1/audit?since=2026-01-01T00:00:00", as_user="admin")
    assert isinstance(naive, httpx2.Response) and naive.status_code == 422


def test_retention_is_at_least_180_days() -> None:
    with pytest.raises(ValidationError):
        Settings(audit_retention_days=30)


def _old_and_new_entries(context: HubContext, clock: FakeClock) -> None:
    with context.db.session() as session:
        for age in (400, 200, 1):
            audit.record(
                session,
                at=clock.now() - timedelta(days=age),
                user_id=None,
                action="login_failed",
                target=f"age:{age}",
            )


def _ages_left(context: HubContext) -> list[str]:
    with context.db.session() as session:
        rows, _ = audit.search(session, audit.AuditFilter(target="age:"), limit=10)
    return sorted(entry.target for entry, _ in rows)


def test_hub_audit_prune_removes_what_is_older_than_the_retention(
    context: HubContext, clock: FakeClock, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _old_and_new_entries(context, clock)
    monkeypatch.setenv("HUB_AUDIT_RETENTION_DAYS", "365")
    result = CliRunner().invoke(cli, ["audit", "prune"])
    assert result.exit_code == 0, result.output
    assert "1 audit entries older than 365 days removed" in result.output
    assert _ages_left(context) == ["age:1", "age:200"]


async def test_the_dispatcher_prunes_the_audit_log_once_an_hour(
    context: HubContext, clock: FakeClock, site: object
) -> None:
    dispatcher = Dispatcher(context, f"mqtt://127.0.0.1:{free_port()}", topic_prefix="t")
    try:
        _old_and_new_entries(context, clock)
        await dispatcher.run_once()
        assert _ages_left(context) == ["age:1", "age:200"]
        _old_and_new_entries(context, clock)  # 400 days old again: kept until the next hour
        clock.advance(timedelta(minutes=59))
        await dispatcher.run_once()
        assert _ages_left(context).count("age:400") == 1
        clock.advance(timedelta(minutes=1))
        await dispatcher.run_once()
        assert "age:400" not in _ages_left(context)
    finally:
        await dispatcher.publisher.close()
