"""An owner's own reading of notices: the first opening is kept and shown to them alone."""

from __future__ import annotations

from datetime import timedelta

from hub.clock import FakeClock
from tests.conftest import ApiClient

NOTICES = "/api/v1/notices"


def test_an_owner_sees_which_notices_they_have_read(api: ApiClient, clock: FakeClock) -> None:
    sent = api.post(NOTICES, as_user="service", json={"title": "停水通知", "body": "周二 9-12"})
    notice_id = sent.json()["id"]
    assert [n["read_at"] for n in api.get(NOTICES, as_user="owner101").json()] == [None]

    assert api.post(f"{NOTICES}/{notice_id}/read", as_user="owner101").status_code == 204
    clock.advance(timedelta(hours=1))
    assert api.post(f"{NOTICES}/{notice_id}/read", as_user="owner101").status_code == 204

    first = "2026-11-10T02:00:00Z"  # the first opening counts
    assert [n["read_at"] for n in api.get(NOTICES, as_user="owner101").json()] == [first]
    assert api.get(f"{NOTICES}/{notice_id}", as_user="owner101").json()["read_at"] == first
    assert api.get(f"{NOTICES}/{notice_id}", as_user="owner102").json()["read_at"] is None
    assert api.get(f"{NOTICES}/{notice_id}", as_user="admin").json()["read_at"] is None
