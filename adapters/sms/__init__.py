"""SMS providers behind one protocol (`base.py`); `HUB_SMS_PROVIDER` picks one (sandbox default)."""

from __future__ import annotations

from adapters.sms.base import SmsError, SmsProvider
from adapters.sms.sandbox import SandboxSms, SentSms, read_sink
from hub.clock import Clock
from hub.errors import ConfigError
from hub.settings import Settings

PROVIDERS = ("sandbox",)


def sms_provider(settings: Settings, clock: Clock) -> SmsProvider:
    """The configured provider; an unknown name is a configuration error, not a silent sandbox."""
    if settings.sms_provider == "sandbox":
        return SandboxSms(settings.resolved_sms_sink(), clock)
    raise ConfigError(
        f"HUB_SMS_PROVIDER={settings.sms_provider!r}: known providers are {', '.join(PROVIDERS)}"
    )


__all__ = ["SandboxSms", "SentSms", "SmsError", "SmsProvider", "read_sink", "sms_provider"]
