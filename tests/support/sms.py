"""The dispatcher's SMS pass and the sandbox provider's sink, for tests that follow an SMS out."""

from __future__ import annotations

from adapters.sms import SentSms, read_sink, sms_provider
from hub.context import HubContext
from hub.services import outbox


def dispatch_sms(context: HubContext) -> int:
    """One SMS pass of the dispatcher, through the configured (sandbox) provider."""
    channel = outbox.SmsChannel(sms_provider(context.settings, context.clock), context.db.session)
    return outbox.deliver_pending(
        context.db.session, now=context.clock.now(), channel=channel, medium=outbox.Medium.SMS
    )


def sent_sms(context: HubContext) -> list[SentSms]:
    """Every SMS the sandbox provider has sent, oldest first."""
    return read_sink(context.settings.resolved_sms_sink())
