"""Budgets for tests: the sample estate's departments (`tech` heads engineering, `guard`
security, `admin` finance and admin, where income is budgeted) and an approved budget."""

from __future__ import annotations

from typing import Any

import httpx2

from tests.conftest import ApiClient


def ok(response: object, status: int = 200) -> httpx2.Response:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    return response


def departments(api: ApiClient) -> dict[str, int]:
    """Kind -> id of the sample estate's departments (its site file names their heads)."""
    found = ok(api.get("/api/v1/departments", as_user="admin")).json()
    return {d["kind"]: d["id"] for d in found}


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
