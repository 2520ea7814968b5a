"""The outbox's SMS channel against the real sandbox sink: each message reaches the provider once,
a provider failure waits for a retry with its reason, and the inbox and SMS passes keep apart."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.sms import SandboxSms, read_sink
from hub.clock import FakeClock
from hub.context import HubContext
from hub.dispatcher import Dispatcher
from hub.domain import DeliveryStatus
from hub.errors import InvalidInput
from hub.services import outbox
from hub.services.site import LoadResult
from hub.storage.models import InboxItem, OutboxMessage, SmsMessage, User

TEXT = "【物业】您的验证码是 123456，10分钟内有效。"


def queue_sms(context: HubContext, site: LoadResult, *, text: str = TEXT) -> int:
    with context.db.session() as session:
        owner = session.scalars(select(User).where(User.username == "owner101")).one()
        message = outbox.send_sms(
            session,
            site_id=site.site_id,
            recipient=owner,
            phone="13812345678",
            title="验证码 Verification code",
            text=text,
            source="test",
            now=context.clock.now(),
        )
        return message.id


def sms_pass(context: HubContext, sink: Path, clock: FakeClock) -> int:
    channel = outbox.SmsChannel(SandboxSms(sink, clock), context.db.session)
    return outbox.deliver_pending(
        context.db.session, now=clock.now(), channel=channel, medium=outbox.Medium.SMS
    )


def row(context: HubContext, message_id: int) -> tuple[OutboxMessage, SmsMessage]:
    with context.db.session() as session:
        message = session.get(OutboxMessage, message_id)
        sms = session.scalars(select(SmsMessage).where(SmsMessage.outbox_id == message_id)).one()
        assert message is not None
        return message, sms


def test_an_sms_is_sent_once_however_often_the_dispatcher_runs(
    context: HubContext, clock: FakeClock, site: LoadResult, tmp_path: Path
) -> None:
    sink = tmp_path / "sink.jsonl"
    message_id = queue_sms(context, site)
    assert outbox.deliver_pending(context.db.session, now=clock.now()) == 0  # not the inbox's
    assert sms_pass(context, sink, clock) == 1
    assert sms_pass(context, sink, clock) == 0
    sent = read_sink(sink)
    assert [(s.phone, s.text) for s in sent] == [("13812345678", TEXT)]
    message, sms = row(context, message_id)
    assert (message.status, message.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert (sms.provider_message_id, sms.sent_at) == (sent[0].id, clock.now())
    with context.db.session() as session:
        assert session.scalars(select(InboxItem)).all() == []
        stored = session.execute(sa.text("SELECT phone || text FROM sms_messages")).scalar_one()
        assert "13812345678" not in stored and "123456" not in stored  # encrypted at rest


def test_the_sms_pass_leaves_inbox_rows_alone(
    context: HubContext, clock: FakeClock, site: LoadResult, tmp_path: Path
) -> None:
    with context.db.session() as session:
        outbox.notify(
            session,
            site_id=site.site_id,
            recipients=outbox.Recipients(usernames=("operator",)),
            title="t",
            body="b",
            source="test",
            now=clock.now(),
        )
    assert sms_pass(context, tmp_path / "sink.jsonl", clock) == 0
    assert outbox.deliver_pending(context.db.session, now=clock.now()) == 1


def test_a_provider_failure_waits_for_a_retry_with_the_reason(
    context: HubContext, clock: FakeClock, site: LoadResult, tmp_path: Path
) -> None:
    sink = tmp_path / "sink.jsonl"
    sink.mkdir()  # the provider cannot write: a real failure, not a pretend one
    message_id = queue_sms(context, site)
    assert sms_pass(context, sink, clock) == 0
    message, sms = row(context, message_id)
    assert (message.status, message.attempts) == (DeliveryStatus.PENDING, 1)
    assert "SmsError: sandbox SMS sink" in (message.last_error or "")
    assert sms.provider_message_id is None
    sink.rmdir()
    assert sms_pass(context, sink, clock) == 1
    assert len(read_sink(sink)) == 1


class Crash(RuntimeError):
    pass


def test_a_crash_after_the_provider_took_it_does_not_send_it_again(
    context: HubContext, clock: FakeClock, site: LoadResult, tmp_path: Path
) -> None:
    sink = tmp_path / "sink.jsonl"
    message_id = queue_sms(context, site)
    channel = outbox.SmsChannel(SandboxSms(sink, clock), context.db.session)

    def crashing(session: Session, message: OutboxMessage, now: datetime) -> None:
        channel(session, message, now)
        raise Crash("power cut after the provider answered")

    assert (
        outbox.deliver_pending(
            context.db.session, now=clock.now(), channel=crashing, medium=outbox.Medium.SMS
        )
        == 0
    )
    assert row(context, message_id)[0].status is DeliveryStatus.PENDING
    assert sms_pass(context, sink, clock) == 1
    assert len(read_sink(sink)) == 1
    message, sms = row(context, message_id)
    assert message.status is DeliveryStatus.DELIVERED
    assert sms.provider_message_id == read_sink(sink)[0].id


def test_a_text_too_long_for_its_encrypted_column_is_refused(
    context: HubContext, site: LoadResult
) -> None:
    with pytest.raises(InvalidInput, match="300 bytes"):
        queue_sms(context, site, text="验" * 101)


def test_the_running_dispatcher_delivers_sms_through_the_configured_provider(
    context: HubContext, site: LoadResult
) -> None:
    queue_sms(context, site)
    dispatcher = Dispatcher(context, "mqtt://127.0.0.1:1")  # no commands: never connects
    result = asyncio.run(dispatcher.run_once())
    assert (result.delivered, result.sms_delivered) == (0, 1)
    assert [s.text for s in read_sink(context.settings.resolved_sms_sink())] == [TEXT]
