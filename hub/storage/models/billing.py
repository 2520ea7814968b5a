"""Tariffs (versioned, tiered), bills, bill lines that remember their sources; payment
intents, payments and the provider notifications behind them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.domain import BillStatus, HomeType, ShareBasis, TierPeriod, TouBand, Utility
from hub.storage.base import Base
from hub.storage.types import MONEY, QUANTITY, UTCDateTime, enum_type


class Tariff(Base):
    """A price for one utility at a site from `effective_from`; a change is a new version."""

    __tablename__ = "tariffs"
    __table_args__ = (UniqueConstraint("site_id", "utility", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    utility: Mapped[Utility] = mapped_column(enum_type(Utility))
    version: Mapped[int] = mapped_column()
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime())
    unit: Mapped[str] = mapped_column(String(16))
    tier_period: Mapped[TierPeriod] = mapped_column(enum_type(TierPeriod), default=TierPeriod.MONTH)
    # A seasonal price (e.g. summer blocks, "5,6,7,8,9,10"): the months it applies to; None: all
    months: Mapped[str | None] = mapped_column(String(40))
    # A property fee for some homes only: of one type and/or on floors `floor_from` to
    # `floor_to` (inclusive; None: no bound); a home gets the most specific that covers it
    home_type: Mapped[HomeType | None] = mapped_column(enum_type(HomeType))
    floor_from: Mapped[int | None] = mapped_column()
    floor_to: Mapped[int | None] = mapped_column()

    tiers: Mapped[list[TariffTier]] = relationship(
        order_by="TariffTier.seq", lazy="selectin", cascade="all, delete-orphan"
    )


class TariffTier(Base):
    """Block `seq` of a tariff: quantity up to `up_to` (None = no limit) costs `unit_price`."""

    __tablename__ = "tariff_tiers"
    __table_args__ = (UniqueConstraint("tariff_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tariff_id: Mapped[int] = mapped_column(ForeignKey("tariffs.id"))
    seq: Mapped[int] = mapped_column()
    up_to: Mapped[Decimal | None] = mapped_column(QUANTITY)
    unit_price: Mapped[Decimal] = mapped_column(QUANTITY)
    band: Mapped[TouBand | None] = mapped_column(enum_type(TouBand))  # time of use: no up_to


class Bill(Base):
    """A home's bill for a month; never edited. A correction credits it (CreditNote) and a
    re-bill writes the next `revision`, which names the bill it `replaces`."""

    __tablename__ = "bills"
    __table_args__ = (UniqueConstraint("home_id", "period", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    revision: Mapped[int] = mapped_column(default=1)  # 1: the billing run's; 2, 3: re-bills
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"))
    total: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[BillStatus] = mapped_column(enum_type(BillStatus))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The sum of its allocations (hub/services/allocation.py), and when they last covered it
    paid: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Arrears reminders (hub/services/billing/arrears.py): stages sent so far, and when
    reminders_sent: Mapped[int] = mapped_column(default=0)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lines: Mapped[list[BillLine]] = relationship(
        foreign_keys="BillLine.bill_id",
        order_by="BillLine.id",
        lazy="selectin",
        cascade="all, delete-orphan",
    )


class BillLine(Base):
    """One priced quantity, keeping the readings and the tariff version and tier behind it."""

    __tablename__ = "bill_lines"
    # the few meters with an estimated line (估抄, to true up), found without reading the rest
    __table_args__ = (
        Index(
            "ix_bill_lines_estimated_meter",
            "meter_id",
            postgresql_where=text("estimated"),
            sqlite_where=text("estimated = 1"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    utility: Mapped[Utility] = mapped_column(enum_type(Utility))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit: Mapped[str] = mapped_column(String(16))
    unit_price: Mapped[Decimal] = mapped_column(QUANTITY)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    # A home's share of a common-area meter (公摊): `quantity` is its weight (m2, 户 or its own
    # use), `unit_price` the common amount per unit of weight.
    share_basis: Mapped[ShareBasis | None] = mapped_column(enum_type(ShareBasis))
    meter_id: Mapped[int | None] = mapped_column(ForeignKey("meters.id"))
    start_reading_id: Mapped[int | None] = mapped_column(ForeignKey("readings.id"))
    end_reading_id: Mapped[int | None] = mapped_column(ForeignKey("readings.id"))
    tariff_id: Mapped[int | None] = mapped_column(ForeignKey("tariffs.id"))  # None: a late fee
    tariff_version: Mapped[int | None] = mapped_column()
    tier: Mapped[int | None] = mapped_column()
    # A late fee (滞纳金) line: the overdue bill it accrues on; `quantity` is its new days late
    late_fee_bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"))
    # A parking line's contract; a one-off charge's line (unique: a charge is billed once)
    parking_contract_id: Mapped[int | None] = mapped_column(ForeignKey("parking_contracts.id"))
    one_off_charge_id: Mapped[int | None] = mapped_column(
        ForeignKey("one_off_charges.id"), unique=True
    )
    # 估抄: no reading by the month's end, so `quantity` is estimated from the meter's average
    # daily use; `estimated_end` is the register it assumed, which the next real reading trues up
    estimated: Mapped[bool] = mapped_column(default=False)
    estimated_end: Mapped[Decimal | None] = mapped_column(QUANTITY)
    corrected: Mapped[bool] = mapped_column(default=False)  # a bounding reading was corrected


class CreditNote(Base):
    """红字冲销: cancels a bill in full (it stays, marked credited); numbered CN-2026-000123."""

    __tablename__ = "credit_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), unique=True)  # credited once
    amount: Mapped[Decimal] = mapped_column(MONEY)  # the bill's total, given back
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class ReadingCorrection(Base):
    """人工更正 of a meter reading: the reading stays as it arrived; the newest correction's
    value is what billing uses."""

    __tablename__ = "reading_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id"), index=True)
    device_id: Mapped[int] = mapped_column(index=True)  # the reading's, to list per meter
    original: Mapped[Decimal | None] = mapped_column(QUANTITY)  # the reading's value then
    value: Mapped[Decimal] = mapped_column(QUANTITY)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class PaymentMethod(StrEnum):
    """How money reached the estate: an online provider, or the finance counter."""

    SANDBOX = "sandbox"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"


class IntentStatus(StrEnum):
    PENDING = "pending"  # the owner was sent to the provider; no verified notification yet
    PAID = "paid"


class NotificationOutcome(StrEnum):
    PAID = "paid"  # verified, matched: this notification paid the bill
    DUPLICATE = "duplicate"  # verified, already acted on: answered success, nothing changed
    REFUSED = "refused"


class PaymentIntent(Base):
    """An owner's "I want to pay this bill" with a provider; paid only by its notification."""

    __tablename__ = "payment_intents"

    id: Mapped[int] = mapped_column(primary_key=True)
    out_trade_no: Mapped[str] = mapped_column(String(32), unique=True)  # our 商户订单号
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[IntentStatus] = mapped_column(enum_type(IntentStatus))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Payment(Base):
    """Money received for a home: from a provider's notification (for one bill) or at the
    counter; spread over bills by its allocations (hub/storage/models/home_accounts.py)."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("method", "transaction_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"), index=True)
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"))  # an intent's bill
    amount: Mapped[Decimal] = mapped_column(MONEY)
    method: Mapped[PaymentMethod] = mapped_column(enum_type(PaymentMethod))
    transaction_id: Mapped[str | None] = mapped_column(String(64))  # the provider's
    receipt_no: Mapped[str | None] = mapped_column(String(32), unique=True)  # 收据号, counter
    reference: Mapped[str | None] = mapped_column(String(64))  # e.g. the bank's transfer ref
    intent_id: Mapped[int | None] = mapped_column(ForeignKey("payment_intents.id"))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # finance


class PaymentNotification(Base):
    """Every notification a provider sent, accepted or refused, and why: the trail finance
    and support read when an owner says "I paid"."""

    __tablename__ = "payment_notifications"
    __table_args__ = (Index("ix_payment_notifications_provider_nonce", "provider", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[NotificationOutcome] = mapped_column(enum_type(NotificationOutcome))
    reason: Mapped[str] = mapped_column(String(300))
    nonce: Mapped[str | None] = mapped_column(String(64))  # as claimed, verified or not
    verified: Mapped[bool] = mapped_column()  # signature and timestamp checked out
    out_trade_no: Mapped[str | None] = mapped_column(String(64))
    transaction_id: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    body_sha256: Mapped[str] = mapped_column(String(64))
