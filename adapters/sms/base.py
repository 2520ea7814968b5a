"""What the hub needs of an SMS provider: one text to one phone, answered with the provider's id."""

from __future__ import annotations

from typing import Protocol

from hub.errors import ServiceUnavailable


class SmsError(ServiceUnavailable):
    """The provider did not take the message; the text names the provider and the reason."""


class SmsProvider(Protocol):
    def send(self, phone: str, text: str) -> str:
        """Hand one message to the provider; its message id, or `SmsError`."""
        ...
