"""Notifications through an outbox: written with the decision, delivered once by the dispatcher.

`notify` resolves recipients (staff by role or username, owners of every home of a building)
into one outbox row each, inside the caller's transaction. `deliver_pending` is the dispatcher's
half: it counts the attempt in its own committed transaction, then delivers and marks the row
delivered in a second one. A crash between the two leaves the row pending and is retried; the
inbox's unique `outbox_id` keeps a retry from delivering twice.

`send_sms` writes a row with an SMS part (`SmsMessage`); the dispatcher delivers those with
`deliver_pending(..., channel=SmsChannel(provider, sessions), medium=Medium.SMS)`. The provider's
message id is committed the moment the provider answers, so a retry after a later failure only
marks the row delivered; a provider error leaves the row pending with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.sms import SmsProvider
from hub.domain import DeliveryStatus, Role
from hub.errors import InvalidInput, NotFound
from hub.storage.models import (
    Building,
    Home,
    HomeOwnership,
    InboxItem,
    OutboxMessage,
    Owner,
    SmsMessage,
    User,
)

MAX_ATTEMPTS = 5
SMS_MAX_BYTES = 300
SessionFactory = Callable[[], AbstractContextManager[Session]]
Channel = Callable[[Session, OutboxMessage, datetime], None]


class Medium(StrEnum):
    """How a row goes out: rows with an SMS part by SMS, all others to the inbox."""

    INBOX = "inbox"
    SMS = "sms"


@dataclass(frozen=True)
class Recipients:
    roles: tuple[Role, ...] = ()
    usernames: tuple[str, ...] = ()
    building_owners: str | None = None  # building code


def resolve(session: Session, site_id: int, recipients: Recipients) -> list[User]:
    """Active accounts the recipients name, each once, in id order."""
    found: dict[int, User] = {}
    if recipients.roles:
        query = select(User).where(User.role.in_(recipients.roles), User.active.is_(True))
        found.update((user.id, user) for user in session.scalars(query))
    if recipients.usernames:
        query = select(User).where(User.username.in_(recipients.usernames), User.active.is_(True))
        found.update((user.id, user) for user in session.scalars(query))
    if recipients.building_owners is not None:
        found.update((user.id, user) for user in _building_owners(session, site_id, recipients))
    return [found[key] for key in sorted(found)]


def _building_owners(session: Session, site_id: int, recipients: Recipients) -> Iterable[User]:
    building = session.scalars(
        select(Building).where(
            Building.site_id == site_id, Building.code == recipients.building_owners
        )
    ).one_or_none()
    if building is None:
        raise InvalidInput(f"notify: no building {recipients.building_owners!r}")
    return session.scalars(
        select(User)
        .join(Owner, Owner.user_id == User.id)
        .join(HomeOwnership, HomeOwnership.owner_id == Owner.id)
        .join(Home, Home.id == HomeOwnership.home_id)
        .where(Home.building_id == building.id, User.active.is_(True))
        .distinct()
    )


def notify(
    session: Session,
    *,
    site_id: int,
    recipients: Recipients,
    title: str,
    body: str,
    source: str,
    now: datetime,
    alert_id: int | None = None,
) -> list[OutboxMessage]:
    """One pending outbox row per recipient, in the caller's transaction."""
    rows = [
        OutboxMessage(
            site_id=site_id,
            recipient_id=user.id,
            title=title[:200],
            body=body,
            source=source,
            alert_id=alert_id,
            status=DeliveryStatus.PENDING,
            attempts=0,
            created_at=now,
        )
        for user in resolve(session, site_id, recipients)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def send_sms(
    session: Session,
    *,
    site_id: int,
    recipient: User | None,
    phone: str,
    title: str,
    text: str,
    source: str,
    now: datetime,
) -> OutboxMessage:
    """One pending SMS to `phone` for `recipient` (None: someone without an account yet, e.g.
    an applicant for one), in the caller's transaction.

    The text stays out of the outbox row (staff see `title` in the delivery status) and is kept
    encrypted in the SMS part."""
    if len(text.encode()) > SMS_MAX_BYTES:
        raise InvalidInput(f"sms: text over {SMS_MAX_BYTES} bytes")
    message = OutboxMessage(
        site_id=site_id,
        recipient_id=recipient.id if recipient is not None else None,
        title=title[:200],
        body="",
        source=source,
        status=DeliveryStatus.PENDING,
        attempts=0,
        created_at=now,
    )
    session.add(message)
    session.flush()
    session.add(SmsMessage(outbox_id=message.id, phone=phone, text=text))
    session.flush()
    return message


def to_inbox(session: Session, message: OutboxMessage, now: datetime) -> None:
    """The in-app channel: an inbox row, unless this message already has one."""
    exists = session.scalar(select(InboxItem.id).where(InboxItem.outbox_id == message.id))
    if exists is None and message.recipient_id is not None:
        session.add(
            InboxItem(
                outbox_id=message.id,
                user_id=message.recipient_id,
                title=message.title,
                body=message.body,
                created_at=now,
            )
        )


class SmsChannel:
    """The SMS channel: each row's text to its phone through `provider`, once: only a crash
    between the provider's answer and the commit of its id could send it again."""

    def __init__(self, provider: SmsProvider, sessions: SessionFactory) -> None:
        self.provider = provider
        self.sessions = sessions

    def __call__(self, session: Session, message: OutboxMessage, now: datetime) -> None:
        sms = session.scalars(
            select(SmsMessage).where(SmsMessage.outbox_id == message.id)
        ).one_or_none()
        if sms is None:
            raise InvalidInput(f"outbox message {message.id} has no SMS part")
        if sms.provider_message_id is not None:
            return  # an earlier attempt sent it and failed after: only mark it delivered
        provider_id = self.provider.send(sms.phone, sms.text)
        # Its own transaction: whatever fails after this, the provider already has the message.
        # (`session` has only read so far, so this write waits on nobody, SQLite included.)
        with self.sessions() as record:
            sent = record.get(SmsMessage, sms.id)
            assert sent is not None
            sent.provider_message_id = provider_id
            sent.sent_at = now


def pending_ids(session: Session, limit: int = 100, medium: Medium = Medium.INBOX) -> list[int]:
    has_sms = OutboxMessage.id.in_(select(SmsMessage.outbox_id))
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == DeliveryStatus.PENDING)
        .where(has_sms if medium is Medium.SMS else ~has_sms)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def deliver_pending(
    sessions: SessionFactory,
    *,
    now: datetime,
    channel: Channel = to_inbox,
    medium: Medium = Medium.INBOX,
    limit: int = 100,
) -> int:
    """Deliver the pending rows of `medium` through `channel`; each row once. Returns how many
    were delivered."""
    with sessions() as session:
        ids = pending_ids(session, limit, medium)
    delivered = 0
    for message_id in ids:
        with sessions() as session:  # the attempt counts even if delivery then crashes
            message = session.get(OutboxMessage, message_id)
            if message is None or message.status is not DeliveryStatus.PENDING:
                continue
            message.attempts += 1
        try:
            with sessions() as session:
                message = session.get(OutboxMessage, message_id)
                assert message is not None
                channel(session, message, now)
                message.status = DeliveryStatus.DELIVERED
                message.delivered_at = now
            delivered += 1
        except Exception as exc:  # any channel fault: keep the row, note why
            _note_failure(sessions, message_id, exc)
    return delivered


def _note_failure(sessions: SessionFactory, message_id: int, exc: Exception) -> None:
    with sessions() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = DeliveryStatus.FAILED


def inbox(session: Session, user: User, *, unread_only: bool = False) -> list[InboxItem]:
    """The user's notifications, newest first."""
    query = (
        select(InboxItem)
        .where(InboxItem.user_id == user.id)
        .order_by(InboxItem.created_at.desc(), InboxItem.id.desc())
        .limit(500)
    )
    if unread_only:
        query = query.where(InboxItem.read_at.is_(None))
    return list(session.scalars(query))


def mark_read(session: Session, item_id: int, *, user: User, now: datetime) -> InboxItem:
    """Mark one of the user's own notifications read; anyone else's is not found."""
    item = session.get(InboxItem, item_id)
    if item is None or item.user_id != user.id:
        raise NotFound(f"notification {item_id} not found")
    item.read_at = item.read_at or now
    session.flush()
    return item


def outbox_rows(session: Session, *, limit: int = 200) -> list[OutboxMessage]:
    """Delivery status for staff, newest first."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    return list(session.scalars(query))
