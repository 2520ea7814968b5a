"""Map the hub's error hierarchy to HTTP answers, once, for every route."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from hub import errors

_STATUS: dict[type[errors.HubError], int] = {
    errors.NotFound: 404,
    errors.PermissionDenied: 403,
    errors.TooLarge: 413,
    errors.InvalidInput: 422,
    errors.InvalidTransition: 409,
    errors.Conflict: 409,
    errors.ConfigError: 422,
    errors.ServiceUnavailable: 503,
}


def status_for(exc: errors.HubError) -> int:
    for cls in type(exc).__mro__:
        if cls in _STATUS:
            return _STATUS[cls]
    return 400


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.HubError)
    status = status_for(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 403 and "token" in str(exc) else None
    return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.HubError, _handle)
