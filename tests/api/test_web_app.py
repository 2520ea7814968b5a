"""The hub serves the built web app: its files, its pages on reload, never a file outside it,
and the API's docs with their assets from the hub itself."""

from __future__ import annotations

from api.web_app import DIST_DIR
from tests.conftest import ApiClient


def test_any_page_of_the_app_is_its_index_with_a_strict_policy(api: ApiClient) -> None:
    index = (DIST_DIR / "index.html").read_text(encoding="utf-8")
    for path in ("/", "/login", "/console/alarms", "/m/owner/bills/3"):
        answer = api.client.get(path)
        assert answer.status_code == 200, path
        assert answer.text == index
        assert "script-src 'self';" in answer.headers["content-security-policy"]
        assert answer.headers["cache-control"] == "no-cache"


def test_built_files_are_served_and_hashed_ones_cached_for_good(api: ApiClient) -> None:
    asset = next((DIST_DIR / "assets").glob("index-*.js"))
    answer = api.client.get(f"/assets/{asset.name}")
    assert answer.status_code == 200
    assert answer.content == asset.read_bytes()
    assert "immutable" in answer.headers["cache-control"]
    assert api.client.get("/favicon.svg").headers["content-type"].startswith("image/svg+xml")


def test_no_file_outside_the_build_is_served(api: ApiClient) -> None:
    index = (DIST_DIR / "index.html").read_text(encoding="utf-8")
    for path in ("/../pyproject.toml", "/%2e%2e/pyproject.toml", "/assets/%2e%2e/../../api/app.py"):
        answer = api.client.get(path)
        assert answer.status_code in (200, 404), path
        assert answer.status_code == 404 or answer.text == index, path


def test_an_unknown_api_path_is_a_json_404_not_the_app(api: ApiClient) -> None:
    answer = api.client.get("/api/v1/no-such-thing", headers=api.headers("admin"))
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


def test_the_api_docs_load_their_assets_from_the_hub(api: ApiClient) -> None:
    page = api.client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "/docs-assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert api.client.get(f"/docs-assets/{name}").status_code == 200
