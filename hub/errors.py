"""The one hierarchy of errors the hub raises; the API maps each to an HTTP status."""

from __future__ import annotations


class HubError(Exception):
    """Base of every error the hub raises on purpose; `retry_after` (seconds) tells the caller
    when trying again may succeed."""

    def __init__(self, message: str = "", *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotFound(HubError):
    """A thing that must exist does not (or the caller may not know it exists)."""


class PermissionDenied(HubError):
    """The caller's role or ownership does not allow this."""


class Unauthenticated(HubError):
    """No valid credentials: a bad, expired or revoked token, so the caller must log in again."""


class TooManyRequests(HubError):
    """The caller tried too often (login throttling); `retry_after` says when to try again."""


class InvalidInput(HubError):
    """Input that fails validation: the message says which field and why."""


class TooLarge(InvalidInput):
    """An upload over the configured size limit."""


class InvalidTransition(HubError):
    """A state machine was asked for a move its transition table forbids."""


class Conflict(HubError):
    """The request clashes with current state (duplicate, already done)."""


class ConfigError(HubError):
    """A site, rules or register-map file is wrong; the message names file and field."""


class ServiceUnavailable(HubError):
    """A required service (broker, database, port) cannot be reached or bound."""
