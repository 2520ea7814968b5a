"""Column types: UTC datetimes, Decimal money and encrypted owner data."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from sqlalchemy import DateTime, Dialect, Enum, Numeric, String, TypeDecorator
from sqlalchemy.orm import mapped_column

from hub import crypto
from hub.errors import ConfigError

log = logging.getLogger(__name__)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC; reads them back aware even from SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EncryptedString(TypeDecorator[str]):
    """Owner personal data (phone, ID number): Fernet-encrypted in the database.

    A value no key opens (a damaged row, a key mix-up) reads as `crypto.UNREADABLE` and is
    logged, so one bad row cannot fail a whole list.
    """

    impl = String(512)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else crypto.encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        try:
            return crypto.decrypt(value)
        except ConfigError:
            log.error(
                "an encrypted owner data value cannot be decrypted; shown as %s", crypto.UNREADABLE
            )
            return crypto.UNREADABLE


MONEY = Numeric(14, 2, asdecimal=True)
QUANTITY = Numeric(20, 6, asdecimal=True)

Money = Annotated[Decimal, mapped_column(MONEY)]
Quantity = Annotated[Decimal, mapped_column(QUANTITY)]


def enum_type(enum_cls: type[StrEnum]) -> Enum:
    """A portable (VARCHAR) enum column storing the values, e.g. 'active_unacknowledged'."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )
