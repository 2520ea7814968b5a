"""The SMS part of an outbox message: the phone and text, and the provider's id once it took it.

An outbox row with an `sms_messages` row goes out by SMS instead of to the inbox. Phone and text
(a verification code) are encrypted at rest like the owner's own data; a text is kept to 300
UTF-8 bytes, which the column's ciphertext fits. `provider_message_id` is committed as soon as
the provider answers, so a retry after any later failure does not send it again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base
from hub.storage.types import EncryptedString, UTCDateTime


class SmsMessage(Base):
    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id"), unique=True)
    phone: Mapped[str] = mapped_column(EncryptedString())
    text: Mapped[str] = mapped_column(EncryptedString())  # <= 300 UTF-8 bytes fit
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
