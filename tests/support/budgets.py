"""The sample estate's departments for budget tests: `tech` heads engineering, `guard`
security, `admin` finance and admin (where income is budgeted)."""

from __future__ import annotations

from typing import Any

import httpx2
import sqlalchemy as sa

from hub.context import HubContext
from hub.services.site import LoadResult
from hub.storage.models import User
from tests.conftest import ApiClient

HEADS = {"engineering": "tech", "security": "guard", "admin": "admin"}


def ok(response: object, status: int = 200) -> httpx2.Response:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    return response


def user_ids(context: HubContext) -> dict[str, int]:
    with context.db.session() as session:
        return {u.username: u.id for u in session.scalars(sa.select(User))}


def departments(api: ApiClient, context: HubContext, site: LoadResult) -> dict[str, int]:
    """Kind -> id of the departments `HEADS` names, created by the admin."""
    ids = user_ids(context)
    made: dict[str, int] = {}
    for kind, head in HEADS.items():
        body = {"site_id": site.site_id, "kind": kind, "head_id": ids[head]}
        made[kind] = ok(api.post("/api/v1/departments", as_user="admin", json=body), 201).json()[
            "id"
        ]
    return made


def approved(
    api: ApiClient, department_id: int, lines: list[dict[str, Any]], head: str, year: int = 2026
) -> dict[str, Any]:
    """A budget drafted and submitted by `head` with `lines`, approved by finance."""
    body = {"department_id": department_id, "year": year}
    budget = ok(api.post("/api/v1/budgets", as_user=head, json=body), 201).json()
    url = f"/api/v1/budgets/{budget['id']}"
    ok(api.put(f"{url}/lines", as_user=head, json={"lines": lines}))
    ok(api.post(f"{url}/submit", as_user=head))
    done: dict[str, Any] = ok(api.post(f"{url}/approve", as_user="finance")).json()
    return done
