"""Numbers JSON has no room for: NaN, Infinity, 1e999 or a 5000-digit integer in a body, and
query numbers past 2^63, are a 422 on every route, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from api.responses import ErrorBody
from tests.conftest import ApiClient

NOT_JSON_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9" * 5000]

BODIES = [  # (user, path, body with {} where the number goes)
    ("admin", "/api/v1/notices", '{"title": "t", "body": "b", "site_id": {}}'),
    ("finance", "/api/v1/billing/runs", '{"period": "2026-10", "dry_run": {}}'),
    ("finance", "/api/v1/homes/1/payments", '{"method": "cash", "amount": {}, "receipt_no": "R"}'),
    ("service", "/api/v1/work-orders/1/assign", '{"technician_id": {}}'),
    ("owner101", "/api/v1/work-orders/1/confirm", '{"attitude": {}, "quality": 5}'),
    ("guard", "/api/v1/patrol/scans", '{"checkpoint_code": "c", "ignored": [1, {"x": {}}]}'),
    ("admin", "/api/v1/auth/password", '{"current_password": {}, "new_password": "x"}'),
]


@pytest.mark.parametrize("number", NOT_JSON_NUMBERS, ids=lambda number: number[:10])
def test_a_number_json_cannot_hold_is_a_422_on_every_json_route(
    api: ApiClient, number: str
) -> None:
    for user, path, template in BODIES:
        body = template.replace("{}", number)
        headers = {**api.headers(user), "content-type": "application/json"}
        refused = api.client.post(path, content=body, headers=headers)
        assert refused.status_code == 422, (path, refused.text)
        detail = ErrorBody.model_validate_json(refused.content).detail
        assert isinstance(detail, list)
        assert detail[0].loc == ["body"]
        assert detail[0].msg == "NaN, Infinity and numbers out of range are not JSON numbers"


def test_the_words_inside_strings_and_ordinary_numbers_are_fine(api: ApiClient) -> None:
    notice = '{"title": "NaN Infinity -Infinity 1e999", "body": "b", "site_id": 1}'
    headers = {**api.headers("admin"), "content-type": "application/json"}
    published = api.client.post("/api/v1/notices", content=notice, headers=headers)
    assert published.status_code == 201, published.text
    assert published.json()["title"] == "NaN Infinity -Infinity 1e999"
    confirm = '{"attitude": 5.0, "quality": 5e0}'  # numbers, if odd ones: left to validation
    headers = {**api.headers("owner101"), "content-type": "application/json"}
    answered = api.client.post("/api/v1/work-orders/1/confirm", content=confirm, headers=headers)
    assert answered.status_code == 404  # no such order: the body itself was fine


def _int_query_parameters(api: ApiClient) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, name, schema) of every integer query parameter the API declares."""
    document = api.client.get("/api/v1/openapi.json").json()
    found = []
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                options = schema.get("anyOf", [schema])
                for option in options:
                    if parameter["in"] == "query" and option.get("type") == "integer":
                        found.append((path, parameter["name"], option))
    return found


def test_every_integer_query_parameter_has_an_upper_bound(api: ApiClient) -> None:
    found = _int_query_parameters(api)
    assert len(found) >= 8
    assert [(path, name) for path, name, schema in found if "maximum" not in schema] == []


def test_query_numbers_past_2_to_the_63_are_a_422(api: ApiClient) -> None:
    for path, name, _ in _int_query_parameters(api):
        for value in (2**63, 2**64, -(2**63) - 1, 10**400):
            answer = api.get(path, as_user="admin", params={name: str(value)})
            assert answer.status_code == 422, (path, name, value, answer.text)  # type: ignore[attr-defined]
