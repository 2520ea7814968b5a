"""The one hierarchy of errors the hub raises; the API maps each to an HTTP status."""

from __future__ import annotations


class HubError(Exception):
    """Base of every error the hub raises on purpose."""


class NotFound(HubError):
    """A thing that must exist does not (or the caller may not know it exists)."""


class PermissionDenied(HubError):
    """The caller's role or ownership does not allow this."""


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
