"""The API against its own OpenAPI: generated requests, as an admin and as an owner, never get a
5xx and every answer matches the schema the route declares."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.app import create_app
from hub.context import HubContext
from hub.settings import Settings
from tests.conftest import ApiClient

CHECKS = [not_a_server_error, response_schema_conformance]
BOUNDED = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _openapi_document() -> dict[str, Any]:
    """The API's OpenAPI, from an app over a throwaway database that is never opened."""
    settings = Settings(var_dir=Path(tempfile.mkdtemp()), database_url="sqlite://")
    return create_app(HubContext.from_settings(settings)).openapi()


schema = schemathesis.openapi.from_dict(_openapi_document())


def _as_httpx_files(files: list[tuple[str, Any]]) -> list[tuple[str, tuple[Any, ...]]]:
    """Multipart fields as httpx takes them: requests (schemathesis' format) also takes bare
    values and numbers, httpx only (filename, text or bytes, ...) tuples."""

    def part(value: Any) -> tuple[Any, ...]:
        filename, content, *rest = value if isinstance(value, tuple) else (None, value)
        return (filename, content if isinstance(content, str | bytes) else str(content), *rest)

    return [(name, part(value)) for name, value in files]


def _call_and_validate(case: schemathesis.Case, api: ApiClient, username: str) -> None:
    """Send `case` to this test's app (its own fresh database) as `username`, then check it."""
    sent = case.as_transport_kwargs(
        base_url=str(api.client.base_url), headers=api.headers(username)
    )
    if sent.get("files"):
        sent["files"] = _as_httpx_files(sent["files"])
    if isinstance(sent.get("data"), str | bytes):
        sent["content"] = sent.pop("data")  # httpx's name for a raw body
    if not sent.get("cookies"):
        sent.pop("cookies", None)
    response = api.client.request(**sent)
    response.request.read()  # a multipart body is a stream until read; the checks read it
    case.validate_response(response, checks=CHECKS, transport_kwargs=sent)


@schema.parametrize()
@BOUNDED
def test_as_an_admin(case: schemathesis.Case, api: ApiClient) -> None:
    _call_and_validate(case, api, "admin")


@schema.parametrize()
@BOUNDED
def test_as_an_owner(case: schemathesis.Case, api: ApiClient) -> None:
    _call_and_validate(case, api, "owner101")
