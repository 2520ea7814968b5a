"""The API against its own OpenAPI: generated requests, as an admin and as an owner, never get a
5xx and every answer matches the schema the route declares. Seeded besides with what generators
rarely try: NaN, Infinity and out-of-range numbers in every JSON body, and ids past any column."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import product
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.openapi_export import openapi_document
from tests.conftest import ApiClient

CHECKS = [not_a_server_error, response_schema_conformance]
# 5 generated requests per operation and user (10 before), for the suite's time; the hostile
# numbers and huge ids below still go to every operation.
BOUNDED = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


DOCUMENT = openapi_document()
schema = schemathesis.openapi.from_dict(DOCUMENT)
USERS = ("admin", "owner101")
HOSTILE_NUMBERS = ("NaN", "Infinity", "-Infinity", "1e999", str(2**63), "-" + "9" * 5000)
HUGE_IDS = (str(2**31), str(2**63), "9" * 30)  # past the 32-bit id columns, and past 64 bits


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


def _operations() -> Iterator[tuple[str, str, list[str]]]:
    """(method, path, JSON body fields or None) of every operation in the OpenAPI."""
    components = DOCUMENT["components"]["schemas"]
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            if body is not None and "$ref" in body:
                body = components[body["$ref"].rsplit("/", 1)[-1]]
            fields = sorted(body.get("properties", {})) if body is not None else None
            yield method.upper(), path, fields


JSON_OPERATIONS = [(m, p, f) for m, p, f in _operations() if f is not None]
WITH_IDS = [(m, p) for m, p, _ in _operations() if "{" in p]


def _url(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_hostile_numbers_in_every_json_field_are_no_server_error(api: ApiClient) -> None:
    failed = []
    for method, path, fields in JSON_OPERATIONS:
        body_of = "{" + ", ".join(f'"{field}": NUMBER' for field in fields) + "}"
        for username, number in product(USERS, HOSTILE_NUMBERS):
            headers = {**api.headers(username), "content-type": "application/json"}
            for url in (_url(path, "1"), _url(path, HUGE_IDS[1])):
                body = body_of.replace("NUMBER", number)
                answer = api.client.request(method, url, content=body, headers=headers)
                if answer.status_code >= 500:
                    failed.append(f"{username} {method} {url} {number[:10]}: {answer.status_code}")
    assert len(JSON_OPERATIONS) >= 10
    assert failed == []


def test_ids_past_every_column_are_no_server_error(api: ApiClient) -> None:
    failed = []
    for (method, path), username, huge in product(WITH_IDS, USERS, HUGE_IDS):
        url = _url(path, huge)
        answer = api.client.request(method, url, json={}, headers=api.headers(username))
        if answer.status_code >= 500:
            failed.append(f"{username} {method} {url}: {answer.status_code}")
    assert len(WITH_IDS) >= 10
    assert failed == []
