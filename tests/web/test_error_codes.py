"""Every error code the hub can send has a message in both of the web app's catalogues."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

from hub import errors

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = {lang: ROOT / "web" / "src" / "locales" / f"{lang}.json" for lang in ("zh-CN", "en")}


def _class_codes() -> Iterator[str]:
    for value in vars(errors).values():
        if isinstance(value, type) and issubclass(value, errors.HubError):
            yield value.code


def _raised_codes() -> Iterator[str]:
    """`code="..."` given to any call in the hub's and the API's code."""
    for path in [*ROOT.joinpath("hub").rglob("*.py"), *ROOT.joinpath("api").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    value = keyword.value
                    if keyword.arg == "code" and isinstance(value, ast.Constant):
                        yield str(value.value)


def test_every_error_code_is_translated() -> None:
    codes = {*_class_codes(), *_raised_codes()}
    assert {"not_found", "password_policy", "wrong_credentials"} <= codes  # the scan works
    for language, path in CATALOGUES.items():
        translated = json.loads(path.read_text(encoding="utf-8"))["errors"]
        assert sorted(codes - translated.keys()) == [], f"codes without a {language} message"
