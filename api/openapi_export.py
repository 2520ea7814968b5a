"""The API's OpenAPI document, as the web app's types are generated from it.

`python -m api.openapi_export web/openapi.json` writes it; `make web-types` then runs
openapi-typescript, and tests/web/test_api_types.py fails when either has drifted from the app.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from api.app import create_app
from hub.context import HubContext
from hub.settings import Settings


def openapi_document() -> dict[str, Any]:
    """The document of an app over a throwaway database that is never opened."""
    settings = Settings(var_dir=Path(tempfile.mkdtemp()), database_url="sqlite://")
    return create_app(HubContext.from_settings(settings)).openapi()


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(target: str) -> None:
    Path(target).write_text(render(openapi_document()), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
