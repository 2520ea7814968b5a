"""The rules file for administrators: read, checked with errors at line and column, saved only
when it checks (and audited); other roles are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest

from hub.context import HubContext
from tests.conftest import ApiClient

FILE = "/api/v1/rules-file"
BROKEN = "rules:\n  - id: leak\n    kind: threshold\n    metrc: leak\n"


@pytest.fixture
def rules_path(context: HubContext) -> Path:
    """The rules file the hub edits: each test's own copy of the default (tests/conftest.py)."""
    assert context.settings.rules_file.is_relative_to(context.settings.var_dir.parent)
    return context.settings.rules_file


def answer(response: object, status: int = 200) -> Any:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == status, response.text
    return response.json()


def check(api: ApiClient, text: str, user: str = "admin") -> object:
    return api.post(f"{FILE}/check", as_user=user, json={"text": text})


def put(api: ApiClient, text: str, user: str = "admin") -> object:
    return api.client.put(FILE, json={"text": text}, headers=api.headers(user))


def test_admin_reads_checks_and_saves(api: ApiClient, rules_path: Path) -> None:
    current = answer(api.get(FILE, as_user="admin"))
    assert current == {"name": "default.yaml", "text": rules_path.read_text(encoding="utf-8")}
    good = answer(check(api, current["text"]))
    assert good["ok"] is True and good["rules"] > 3
    smaller = current["text"].split("\n  - id: ", 2)
    text = smaller[0] + "\n  - id: " + smaller[1]  # the first rule only
    assert answer(put(api, text)) == {"ok": True, "rules": 1, "problems": []}
    assert rules_path.read_text(encoding="utf-8") == text
    audit = answer(api.get("/api/v1/audit", as_user="admin", params={"action": "rules_saved"}))
    [entry] = audit["items"]
    assert (entry["username"], entry["detail"]) == ("admin", f"1 rules, {len(text.encode())} bytes")


def test_a_broken_file_is_shown_at_line_and_column_and_not_saved(
    api: ApiClient, rules_path: Path
) -> None:
    before = rules_path.read_text(encoding="utf-8")
    checked = answer(check(api, BROKEN))
    assert checked["ok"] is False and checked["rules"] == 0
    problems = {(p["line"], p["column"]): p["message"] for p in checked["problems"]}
    assert problems[(4, 5)] == "rule 'leak' (#1): metrc: Extra inputs are not permitted"
    assert "actions: Field required" in problems[(2, 5)]
    [problem] = answer(check(api, "rules:\n  - [x\n"))["problems"]
    assert (problem["line"], problem["column"]) == (3, 1)
    refused = answer(put(api, BROKEN), 422)
    assert refused["code"] == "rules_invalid"
    assert "line 4, column 5: rule 'leak' (#1): metrc" in refused["detail"]
    assert rules_path.read_text(encoding="utf-8") == before


def test_only_admins_touch_the_rules(api: ApiClient, rules_path: Path) -> None:
    before = rules_path.read_text(encoding="utf-8")
    for user in ("operator", "finance", "tech", "owner101"):
        answer(api.get(FILE, as_user=user), 403)
        answer(check(api, before, user), 403)
        answer(put(api, "rules: []\n", user), 403)
    assert rules_path.read_text(encoding="utf-8") == before
