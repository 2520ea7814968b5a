"""Map the hub's error hierarchy to HTTP answers, once, for every route."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from hub import errors

_STATUS: dict[type[errors.HubError], int] = {
    errors.NotFound: 404,
    errors.Unauthenticated: 401,
    errors.PermissionDenied: 403,
    errors.TooLarge: 413,
    errors.InvalidInput: 422,
    errors.InvalidTransition: 409,
    errors.Conflict: 409,
    errors.TooManyRequests: 429,
    errors.ConfigError: 422,
    errors.ServiceUnavailable: 503,
}


def status_for(exc: errors.HubError) -> int:
    for cls in type(exc).__mro__:
        if cls in _STATUS:
            return _STATUS[cls]
    return 400


def _headers(exc: errors.HubError) -> dict[str, str]:
    """401 names the scheme to log in with; a known wait goes out as Retry-After (seconds)."""
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, errors.Unauthenticated) else {}
    if exc.retry_after is not None:
        headers["Retry-After"] = str(max(1, exc.retry_after))
    return headers


def error_response(exc: errors.HubError) -> JSONResponse:
    """The answer to a hub error; also sent by middleware that refuses before any route."""
    return JSONResponse(
        {"detail": str(exc), "code": exc.code}, status_code=status_for(exc), headers=_headers(exc)
    )


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.HubError)
    return error_response(exc)


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own 422 body (the issues by field), with the code pages translate."""
    assert isinstance(exc, RequestValidationError)
    body = {"detail": jsonable_encoder(exc.errors()), "code": errors.InvalidInput.code}
    return JSONResponse(body, status_code=422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.HubError, _handle)
    app.add_exception_handler(RequestValidationError, _invalid_request)
