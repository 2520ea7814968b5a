"""The web app's TypeScript types are the API's: they fail here when either has drifted."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from api.openapi_export import openapi_document, render
from tests.conftest import IN_CI

WEB = Path(__file__).resolve().parents[2] / "web"
GENERATOR = WEB / "node_modules" / ".bin" / "openapi-typescript"


def test_the_committed_openapi_is_the_apps() -> None:
    committed = (WEB / "openapi.json").read_text(encoding="utf-8")
    assert committed == render(openapi_document()), "API changed: run `make web-types`"


def test_the_typescript_types_are_generated_from_it(tmp_path: Path) -> None:
    if not GENERATOR.exists() or shutil.which("node") is None:
        if IN_CI:
            pytest.fail("CI=true but web/node_modules is missing (make web runs npm ci)")
        pytest.skip("web/node_modules is not installed (make web runs npm ci)")
    fresh = tmp_path / "schema.d.ts"
    subprocess.run(
        [str(GENERATOR), str(WEB / "openapi.json"), "-o", str(fresh)],
        check=True,
        capture_output=True,
        cwd=WEB,
    )
    committed = (WEB / "src" / "api" / "schema.d.ts").read_text(encoding="utf-8")
    assert committed == fresh.read_text(encoding="utf-8"), "types drifted: run `make web-types`"


def _untyped(schema: dict[str, object]) -> bool:
    """A body the types cannot describe: anything-goes, or an object or list of anything."""
    if not schema or (schema.get("additionalProperties") is True and "properties" not in schema):
        return True
    items = schema.get("items")
    return schema.get("type") == "array" and (not isinstance(items, dict) or _untyped(items))


def test_every_json_answer_has_a_declared_shape() -> None:
    untyped = [
        f"{method.upper()} {path} -> {status}"
        for path, operations in openapi_document()["paths"].items()
        for method, operation in operations.items()
        for status, answer in operation.get("responses", {}).items()
        if status.startswith("2")
        and _untyped(answer.get("content", {}).get("application/json", {}).get("schema", {"$": 1}))
    ]
    assert untyped == [], "give these a Pydantic response model"


def test_no_two_answer_models_share_a_name() -> None:
    """Two models of one name get module-qualified names that the web app cannot rely on
    (FastAPI's own names for form bodies, Body_<operation>, are not answers)."""
    names = openapi_document()["components"]["schemas"]
    assert [name for name in names if "__" in name and not name.startswith("Body_")] == []
