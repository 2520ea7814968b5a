"""The one hierarchy of errors the hub raises; the API maps each to an HTTP status."""

from __future__ import annotations


class HubError(Exception):
    """Base of every error the hub raises on purpose; `retry_after` (seconds) tells the caller
    when trying again may succeed. `code` is what a page translates for people (the message is
    English, for logs and integrators): each class has one, a raise may name a finer one."""

    code = "error"

    def __init__(
        self, message: str = "", *, retry_after: int | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        if code is not None:
            self.code = code


class NotFound(HubError):
    """A thing that must exist does not (or the caller may not know it exists)."""

    code = "not_found"


class PermissionDenied(HubError):
    """The caller's role or ownership does not allow this."""

    code = "forbidden"


class Unauthenticated(HubError):
    """No valid credentials: a bad, expired or revoked token, so the caller must log in again."""

    code = "unauthenticated"


class TooManyRequests(HubError):
    """The caller tried too often (login throttling); `retry_after` says when to try again."""

    code = "too_many_requests"


class InvalidInput(HubError):
    """Input that fails validation: the message says which field and why."""

    code = "invalid_input"


class TooLarge(InvalidInput):
    """An upload over the configured size limit."""

    code = "too_large"


class BadRange(InvalidInput):
    """A time range (`from`, `to`) whose start is not before its end."""

    code = "bad_range"

    def __init__(self) -> None:
        super().__init__("range: `from` must be before `to`; 起始时间须早于结束时间")


class InvalidTransition(HubError):
    """A state machine was asked for a move its transition table forbids."""

    code = "invalid_transition"


class Conflict(HubError):
    """The request clashes with current state (duplicate, already done)."""

    code = "conflict"


class ConfigError(HubError):
    """A site, rules or register-map file is wrong; the message names file and field."""

    code = "config_error"


class ServiceUnavailable(HubError):
    """A required service (broker, database, port) cannot be reached or bound."""

    code = "service_unavailable"
