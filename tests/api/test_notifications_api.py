"""The notifications API: own inbox only, another owner's item answers 404, outbox for
supervisors only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub.context import HubContext
from hub.services import outbox
from hub.services.site import LoadResult
from hub.storage.models import InboxItem
from tests.conftest import ApiClient


def shut_off_notice(context: HubContext, site: LoadResult) -> None:
    with context.db.session() as session:
        outbox.notify(
            session,
            site_id=site.site_id,
            recipients=outbox.Recipients(building_owners="B1"),
            title="停水通知 Water shut-off 14:00-16:00",
            body="1号楼 Building 1",
            source="test",
            now=context.clock.now(),
        )
    outbox.deliver_pending(context.db.session, now=context.clock.now())


def test_owner_reads_own_notification_and_not_anothers(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    shut_off_notice(context, site)
    mine: Any = api.get("/api/v1/notifications", as_user="owner101")
    assert mine.status_code == 200
    assert [n["title"] for n in mine.json()] == ["停水通知 Water shut-off 14:00-16:00"]
    item_id = mine.json()[0]["id"]
    with context.db.session() as session:
        theirs = session.scalars(
            select(InboxItem.id).where(InboxItem.id != item_id)
        ).first()  # owner102's copy
    refused: Any = api.post(f"/api/v1/notifications/{theirs}/read", as_user="owner101")
    assert refused.status_code == 404
    done: Any = api.post(f"/api/v1/notifications/{item_id}/read", as_user="owner101")
    assert done.status_code == 200 and done.json()["read_at"] is not None
    unread: Any = api.get("/api/v1/notifications?unread=true", as_user="owner101")
    assert unread.json() == []
    empty: Any = api.get("/api/v1/notifications", as_user="owner201")  # Building 2
    assert empty.json() == []


def test_outbox_status_is_for_supervisors_only(
    api: ApiClient, context: HubContext, site: LoadResult
) -> None:
    shut_off_notice(context, site)
    for role in ("owner101", "tech", "finance"):
        refused: Any = api.get("/api/v1/notifications/outbox", as_user=role)
        assert refused.status_code == 403, role
    shown: Any = api.get("/api/v1/notifications/outbox", as_user="operator")
    assert shown.status_code == 200
    assert [(r["status"], r["attempts"]) for r in shown.json()] == [("delivered", 1)] * 2
