"""JSON bodies hold JSON numbers only: NaN, Infinity and numbers no float or int can hold are
refused with 422 before any route sees them.

Python's json module reads the NaN, Infinity and -Infinity literals (not JSON, RFC 8259) and
turns 1e999 into infinity; pydantic refuses those, and its error, quoting the input, could then
not be written as JSON: a 500. Checking in one middleware covers every JSON route. The body is
already capped (`api.body_guard`) when this buffers it; the route gets the same bytes.
"""

from __future__ import annotations

import json
import math

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.errors import InvalidInput

MESSAGE = "NaN, Infinity and numbers out of range are not JSON numbers"


class _NotANumber(ValueError):
    pass


def _refuse_constant(name: str) -> float:
    raise _NotANumber(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotANumber(text)
    return value


def _bounded_int(text: str) -> int:
    try:
        return int(text)
    except ValueError as exc:  # more digits than Python converts (sys.get_int_max_str_digits)
        raise _NotANumber(text[:20]) from exc


def has_non_numbers(body: bytes) -> bool:
    """Whether `body` parses as JSON only by accepting what JSON has no number for. Malformed
    JSON is not this check's business: the route answers it as before."""
    try:
        json.loads(
            body,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except _NotANumber:
        return True
    except (ValueError, RecursionError):
        return False
    return False


def _is_json(headers: Headers) -> bool:
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    main, _, sub = media_type.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


def _invalid() -> JSONResponse:
    issue = {"type": "json_invalid", "loc": ["body"], "msg": MESSAGE, "input": {}}
    return JSONResponse({"detail": [issue], "code": InvalidInput.code}, status_code=422)


class StrictJson:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_json(Headers(scope=scope)):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending the whole body
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if has_non_numbers(body):
            await _invalid()(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
