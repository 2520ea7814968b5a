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
