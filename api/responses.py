"""The error answers every API route declares in the OpenAPI, in the one shape they all share.

A hub error is `{"detail": "message", "code": "not_found"}`; a request FastAPI cannot parse (a
missing field, a string for a number) is `{"detail": [{"loc": [...], "msg": ..., "type": ...}],
"code": "invalid_input"}`. The message is English for logs and integrators; `code` is what the
web app translates (its `errors.<code>` messages). Declaring both keeps the generated clients and
the schema checks honest.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorBody(BaseModel):
    detail: str | list[ValidationIssue]
    code: str


_MEANINGS = {
    400: "Bad request",
    401: "Not logged in, or the token is invalid or expired",
    403: "The role may not do this",
    404: "No such object, or not the caller's",
    409: "A step out of order, or a clash",
    413: "Too large",
    422: "Invalid input",
    429: "Too many attempts; see Retry-After",
    503: "A service the hub needs is unavailable",
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": meaning} for status, meaning in _MEANINGS.items()
}
