"""Notifications: the outbox a rule or service writes, and the in-app inbox it is delivered to.

An outbox row is written in the transaction that decided to notify, so a rollback takes it back
with the rest; the dispatcher delivers it later. The inbox keeps one row per outbox row (unique),
which is what makes a repeated delivery after a crash harmless.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.domain import DeliveryStatus
from hub.storage.base import Base
from hub.storage.types import UTCDateTime, enum_type


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    # None for an SMS to someone without an account (an applicant for one)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(128))  # rule id or service, e.g. "sla-escalation"
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"))
    status: Mapped[DeliveryStatus] = mapped_column(enum_type(DeliveryStatus), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class InboxItem(Base):
    """A delivered notification as its recipient sees it in the app."""

    __tablename__ = "inbox_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
