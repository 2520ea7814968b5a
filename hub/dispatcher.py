"""The dispatcher: the hub's outbound half and its lifecycle timers, one pass every `interval_s`.

Each pass delivers pending notifications (hub/services/outbox.py: in-app ones to the inbox, SMS
through the provider HUB_SMS_PROVIDER names), publishes pending device commands
(hub/services/commands.py) and then runs the timers that need no message to fire:
command acknowledgement timeouts, SLA escalation, survey reminders and closing, settling of
flapping alarms, every 10 minutes arrears reminders and maintenance tasks (generation,
reminders, overdue) and, once an hour, the audit log's retention. Database work runs in a
thread, one short transaction per step, so the event loop stays free; a failing pass is logged
and the next one tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from adapters.mqtt.command_publisher import CommandPublisher
from adapters.sms import sms_provider
from hub.context import HubContext
from hub.errors import ServiceUnavailable
from hub.services import alerts, audit, commands, escalation, outbox, surveys
from hub.services.billing import arrears
from hub.services.maintenance import generate, reminders

log = logging.getLogger(__name__)

AUDIT_PRUNE_EVERY = timedelta(hours=1)
# Arrears reminders fall due by the day: no need to look at every unpaid bill each second
ARREARS_REMIND_EVERY = timedelta(minutes=10)
# Maintenance windows open and close by the day: generation, reminders and overdue escalation
MAINTENANCE_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class PassResult:
    delivered: int
    sms_delivered: int
    commands_sent: int
    commands_expired: int
    escalated: int
    flapping_settled: int


class Dispatcher:
    """`await Dispatcher(context, mqtt_url, topic_prefix=...).run(stop)` until `stop` is set."""

    def __init__(
        self,
        context: HubContext,
        mqtt_url: str,
        *,
        topic_prefix: str | None = None,
        interval_s: float = 1.0,
    ) -> None:
        self.context = context
        self.prefix = topic_prefix or context.settings.topic_prefix
        self.interval_s = interval_s
        self.publisher = CommandPublisher(mqtt_url)
        self._last_run: dict[str, datetime] = {}  # the slow chores, by name
        provider = sms_provider(context.settings, context.clock)
        self.sms = outbox.SmsChannel(provider, context.db.session)

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    await self.run_once()
                except Exception:  # a bad pass must not stop delivery for good
                    log.exception("dispatcher: pass failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.interval_s)
        finally:
            await self.publisher.close()

    async def run_once(self) -> PassResult:
        """One pass at the context clock's now."""
        now = self.context.clock.now()
        delivered = await asyncio.to_thread(
            outbox.deliver_pending, self.context.db.session, now=now
        )
        sms_delivered = await asyncio.to_thread(
            outbox.deliver_pending,
            self.context.db.session,
            now=now,
            channel=self.sms,
            medium=outbox.Medium.SMS,
        )
        sent = await self._send_commands()
        expired, escalated, settled = await asyncio.to_thread(self._timers)
        return PassResult(delivered, sms_delivered, sent, expired, escalated, settled)

    async def _send_commands(self) -> int:
        pending = await asyncio.to_thread(self._outgoing)
        sent = 0
        for item in pending:
            try:
                await self.publisher.publish(item.topic, item.payload)
            except ServiceUnavailable as exc:
                log.warning("dispatcher: %s; %d commands wait", exc, len(pending) - sent)
                break
            now = self.context.clock.now()
            await asyncio.to_thread(self._mark_sent, item.command_id, now)
            sent += 1
        return sent

    def _outgoing(self) -> list[commands.Outgoing]:
        with self.context.db.session() as session:
            return commands.outgoing(session, self.prefix)

    def _mark_sent(self, command_id: str, now: datetime) -> None:
        with self.context.db.session() as session:
            commands.mark_sent(session, command_id, now=now)

    def _timers(self) -> tuple[int, int, int]:
        now = self.context.clock.now()
        with self.context.db.session() as session:
            expired = len(commands.expire(session, now=now))
        with self.context.db.session() as session:
            escalated = len(escalation.check(session, now=now))
        with self.context.db.session() as session:
            surveys.sweep(session, now=now)
        if self._due("arrears", ARREARS_REMIND_EVERY, now):
            with self.context.db.session() as session:
                arrears.remind(session, now=now)
        if self._due("maintenance", MAINTENANCE_EVERY, now):
            self._maintenance(now)
        with self.context.db.session() as session:
            settled = len(alerts.settle_flapping(session, now=now))
        self._prune_audit(now)
        return expired, escalated, settled

    def _maintenance(self, now: datetime) -> None:
        """New maintenance tasks, then reminders of open windows, then overdue escalation."""
        with self.context.db.session() as session:
            generate.generate(session, now=now)
        with self.context.db.session() as session:
            reminders.remind(session, now=now)
        with self.context.db.session() as session:
            reminders.escalate(session, now=now)

    def _due(self, chore: str, every: timedelta, now: datetime) -> bool:
        """Whether `chore` should run now: on the first pass, then once per `every`."""
        last = self._last_run.get(chore)
        if last is not None and now - last < every:
            return False
        self._last_run[chore] = now
        return True

    def _prune_audit(self, now: datetime) -> None:
        """Age out the audit log once an hour (HUB_AUDIT_RETENTION_DAYS)."""
        if not self._due("audit", AUDIT_PRUNE_EVERY, now):
            return
        days = self.context.settings.audit_retention_days
        with self.context.db.session() as session:
            removed = audit.prune(session, now=now, retention_days=days)
        if removed:
            log.info("dispatcher: %d audit entries older than %d days removed", removed, days)
