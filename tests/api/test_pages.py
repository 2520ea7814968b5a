"""The pages are served with their static files and a policy that keeps them off the internet."""

from __future__ import annotations

import pytest

from api.pages.routes import PAGES_DIR
from tests.conftest import ApiClient


@pytest.mark.parametrize(("path", "marker"), [("/", "监控中心"), ("/owner", "业主服务")])
def test_pages_are_served_with_a_same_origin_policy(api: ApiClient, path: str, marker: str) -> None:
    page = api.client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert marker in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "http" not in page.text.split("<body>")[0]  # no external stylesheet or script


def test_static_helpers_are_served(api: ApiClient) -> None:
    script = api.client.get("/static/app.js")
    assert script.status_code == 200 and "mountLogin" in script.text
    assert api.client.get("/static/style.css").status_code == 200


def test_guard_page_is_served_once_it_exists(api: ApiClient) -> None:
    expected = 200 if (PAGES_DIR / "guard.html").is_file() else 404
    assert api.client.get("/guard").status_code == expected
