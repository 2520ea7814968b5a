"""The shapes of a home's account that people see: its prepaid balance (预缴余额) and the
movements behind it, its payments, refunds and deposits, and how a payment would be allocated.
Amounts are strings with two decimals, as on bills."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.services import deposits, home_accounts, refunds
from hub.services.allocation import outstanding, paid_amounts
from hub.services.bill_views import PaymentOut
from hub.services.billing.text import decimal_text, home_label
from hub.storage.models import BalanceEntry, Bill, Deposit, Home, Payment, Refund
from hub.storage.models.billing import PaymentMethod
from hub.storage.models.home_accounts import BalanceCause, RefundSource


class MovementOut(BaseModel):
    """One movement of the prepaid balance and its cause."""

    id: int
    at: datetime
    cause: BalanceCause
    amount: str = Field(description="in: positive; out: negative")
    payment_id: int | None
    bill_id: int | None
    refund_id: int | None

    @classmethod
    def of(cls, row: BalanceEntry) -> MovementOut:
        return cls(
            id=row.id,
            at=row.at,
            cause=row.cause,
            amount=decimal_text(row.amount, 2),
            payment_id=row.payment_id,
            bill_id=row.bill_id,
            refund_id=row.refund_id,
        )


class RefundOut(BaseModel):
    id: int
    number: str = Field(description='退款单号, "TK202611-00003"')
    source: RefundSource
    payment_id: int | None
    deposit_id: int | None
    amount: str
    deducted: str = Field(description="kept from a deposit")
    reason: str
    refunded_at: datetime

    @classmethod
    def of(cls, row: Refund) -> RefundOut:
        return cls(
            id=row.id,
            number=refunds.refund_number(row),
            source=row.source,
            payment_id=row.payment_id,
            deposit_id=row.deposit_id,
            amount=decimal_text(row.amount, 2),
            deducted=decimal_text(row.deducted, 2),
            reason=row.reason,
            refunded_at=row.refunded_at,
        )


class DepositOut(BaseModel):
    id: int
    home_id: int
    home: str
    purpose: str
    amount: str
    held: str = Field(description="neither refunded nor kept yet")
    method: PaymentMethod
    receipt_no: str
    reference: str | None
    received_at: datetime

    @classmethod
    def of(cls, session: Session, row: Deposit) -> DepositOut:
        home = session.get(Home, row.home_id)
        assert home is not None  # a foreign key
        return cls(
            id=row.id,
            home_id=row.home_id,
            home=home_label(home),
            purpose=row.purpose,
            amount=decimal_text(row.amount, 2),
            held=decimal_text(deposits.held(session, row), 2),
            method=row.method,
            receipt_no=row.receipt_no,
            reference=row.reference,
            received_at=row.received_at,
        )


class ShareOut(BaseModel):
    """What of a payment goes (or went) to one bill."""

    bill_id: int
    period: str
    amount: str
    outstanding_after: str

    @classmethod
    def of(cls, bill: Bill, amount: Decimal, *, done: bool) -> ShareOut:
        left = outstanding(bill) if done else outstanding(bill) - amount
        return cls(
            bill_id=bill.id,
            period=bill.period,
            amount=decimal_text(amount, 2),
            outstanding_after=decimal_text(left, 2),
        )


class AllocationPreviewOut(BaseModel):
    """How a counter payment of `amount` would be allocated, oldest bill first."""

    amount: str
    shares: list[ShareOut]
    to_balance: str = Field(description="beyond the outstanding bills: to the prepaid balance")

    @classmethod
    def of(cls, session: Session, home_id: int, amount: Decimal) -> AllocationPreviewOut:
        shares, rest = home_accounts.preview(session, home_id, amount)
        return cls(
            amount=decimal_text(amount, 2),
            shares=[ShareOut.of(bill, share, done=False) for bill, share in shares],
            to_balance=decimal_text(rest, 2),
        )


class PaymentReceivedOut(BaseModel):
    """A recorded payment: the bills it paid, what went to the balance, the balance now."""

    payment: PaymentOut
    shares: list[ShareOut]
    to_balance: str
    balance: str

    @classmethod
    def of(cls, session: Session, payment: Payment) -> PaymentReceivedOut:
        shares = sorted(paid_amounts(session, payment.id), key=lambda share: share[0].period)
        return cls(
            payment=PaymentOut.of(payment),
            shares=[ShareOut.of(bill, amount, done=True) for bill, amount in shares],
            to_balance=decimal_text(home_accounts.to_balance(session, payment.id), 2),
            balance=decimal_text(home_accounts.balance_of(session, payment.home_id), 2),
        )


class HomeAccountOut(BaseModel):
    """A home's account: 预缴余额 and its movements, payments, refunds, deposits, and what is
    outstanding on its bills."""

    home_id: int
    home: str
    balance: str
    outstanding: str = Field(description="on all its bills")
    movements: list[MovementOut]
    payments: list[PaymentOut]
    refunds: list[RefundOut]
    deposits: list[DepositOut]

    @classmethod
    def of(cls, session: Session, home: Home) -> HomeAccountOut:
        bills = session.scalars(select(Bill).where(Bill.home_id == home.id))
        paid = session.scalars(
            select(Payment).where(Payment.home_id == home.id).order_by(Payment.id.desc())
        )
        return cls(
            home_id=home.id,
            home=home_label(home),
            balance=decimal_text(home_accounts.balance_of(session, home.id), 2),
            outstanding=decimal_text(sum((outstanding(b) for b in bills), Decimal("0.00")), 2),
            movements=[MovementOut.of(row) for row in home_accounts.movements_of(session, home.id)],
            payments=[PaymentOut.of(payment) for payment in paid],
            refunds=[RefundOut.of(row) for row in refunds.refunds_of(session, home.id)],
            deposits=[
                DepositOut.of(session, row)
                for row in deposits.deposits_of(session, home_id=home.id)
            ],
        )
