"""Daily reconciliation (对账): the providers' statements as imported, each provider's day with
its state, finance's notes on the differences, and the result frozen when a day is signed off;
and the sandbox provider's own ledger of what it settled."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base
from hub.storage.types import MONEY, UTCDateTime, enum_type


class DayState(StrEnum):
    OPEN = "open"  # a statement is in; differences are being reviewed
    SIGNED_OFF = "signed_off"  # finance closed the day: locked


class ItemKind(StrEnum):
    """What one line of a day's result says (docs/billing.md, the matching rules)."""

    MATCHED = "matched"
    MISSING_OURS = "missing_ours"  # the provider took money we have no payment for
    MISSING_PROVIDER = "missing_provider"  # our payment is not in the statement
    AMOUNT_MISMATCH = "amount_mismatch"
    OTHER_DAY = "other_day"  # our payment of this transaction is booked on another day
    DUPLICATE = "duplicate"  # the statement lists the same movement again
    REFUND = "refund"


class SandboxSettlement(Base):
    """Money the sandbox provider took when a payer pressed Pay: what its statement lists,
    whether or not its notification reached the hub."""

    __tablename__ = "sandbox_settlements"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[str] = mapped_column(String(64), unique=True)
    out_trade_no: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    settled_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ProviderStatement(Base):
    """A statement file as finance uploaded it, kept byte for byte; the same bytes are stored
    once per provider."""

    __tablename__ = "provider_statements"
    __table_args__ = (UniqueConstraint("provider", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date())
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary())
    rows: Mapped[int] = mapped_column()
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class ReconciliationDay(Base):
    """One provider's day: its current statement and whether finance signed it off."""

    __tablename__ = "reconciliation_days"
    __table_args__ = (UniqueConstraint("provider", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date())
    state: Mapped[DayState] = mapped_column(enum_type(DayState))
    statement_id: Mapped[int] = mapped_column(ForeignKey("provider_statements.id"))
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReconciliationNote(Base):
    """Finance's note on one difference of a day, by the difference's stable key."""

    __tablename__ = "reconciliation_notes"
    __table_args__ = (UniqueConstraint("day_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("reconciliation_days.id"))
    key: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(String(500))
    noted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    noted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class ReconciliationItem(Base):
    """A line of a day's result as it stood at sign-off: later payments cannot change it."""

    __tablename__ = "reconciliation_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("reconciliation_days.id"), index=True)
    kind: Mapped[ItemKind] = mapped_column(enum_type(ItemKind))
    key: Mapped[str] = mapped_column(String(200))
    line: Mapped[int | None] = mapped_column()
    transaction_id: Mapped[str] = mapped_column(String(64))
    out_trade_no: Mapped[str] = mapped_column(String(64))
    refund_no: Mapped[str] = mapped_column(String(64))
    statement_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    our_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
