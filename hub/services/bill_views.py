"""The shapes of bills that people see: the owner's bill page, finance's tables and a run's report.

Amounts are strings with two decimals ("409.58") and quantities as many as they carry, so no
client ever turns money into a float; each line names the two readings behind it so an owner
can check the arithmetic.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import BillStatus, ShareBasis, Utility
from hub.services.allocation import allocations_of, outstanding
from hub.services.billing import BillingRunResult, decimal_text, home_label
from hub.services.billing.arrears import AGING_BUCKETS, AgingRow
from hub.services.billing.text import receipt_number
from hub.storage.models import Bill, BillLine, Home, Payment, PaymentAllocation, Reading
from hub.storage.models.billing import PaymentMethod


class MeterReadingOut(BaseModel):
    id: int
    value: str
    ts: datetime

    @classmethod
    def of(cls, reading: Reading | None) -> MeterReadingOut | None:
        if reading is None or reading.value is None:
            return None
        return cls(id=reading.id, value=decimal_text(reading.value), ts=reading.ts)


class BillLineOut(BaseModel):
    utility: Utility
    description: str
    quantity: str
    unit: str
    unit_price: str
    amount: str
    tier: int | None
    tariff_version: int | None = Field(description="None: a late fee, priced by the contract")
    late_fee_bill_id: int | None = Field(description="a late fee (滞纳金): the overdue bill")
    start_reading: MeterReadingOut | None = Field(description="None: not metered, or not billed")
    end_reading: MeterReadingOut | None
    share_basis: ShareBasis | None = Field(
        description="a share of a common-area meter (公摊): quantity is the home's weight"
    )

    @classmethod
    def of(cls, line: BillLine, readings: dict[int, Reading]) -> BillLineOut:
        return cls(
            utility=line.utility,
            description=line.description,
            quantity=decimal_text(line.quantity),
            unit=line.unit,
            unit_price=decimal_text(line.unit_price, 2),
            amount=decimal_text(line.amount, 2),
            tier=line.tier,
            tariff_version=line.tariff_version,
            late_fee_bill_id=line.late_fee_bill_id,
            start_reading=MeterReadingOut.of(readings.get(line.start_reading_id or 0)),
            end_reading=MeterReadingOut.of(readings.get(line.end_reading_id or 0)),
            share_basis=line.share_basis,
        )


class PaymentOut(BaseModel):
    id: int
    home_id: int
    bill_id: int | None = Field(description="an online payment's bill; None at the counter")
    method: PaymentMethod
    amount: str
    transaction_id: str | None = Field(description="the provider's, for online payments")
    receipt_no: str | None = Field(description="finance's receipt (收据号), for counter payments")
    reference: str | None
    paid_at: datetime

    @classmethod
    def of(cls, payment: Payment) -> PaymentOut:
        return cls(
            id=payment.id,
            home_id=payment.home_id,
            bill_id=payment.bill_id,
            method=payment.method,
            amount=decimal_text(payment.amount, 2),
            transaction_id=payment.transaction_id,
            receipt_no=payment.receipt_no,
            reference=payment.reference,
            paid_at=payment.paid_at,
        )


class AllocationOut(BaseModel):
    """Money put on a bill (negative: taken off by a refund)."""

    payment_id: int | None = Field(description="None: from the prepaid balance (预缴抵扣)")
    method: PaymentMethod | None
    receipt_no: str | None = Field(description="the payment's receipt (收据号 or EP-...)")
    refund_id: int | None
    amount: str
    at: datetime

    @classmethod
    def of(cls, row: PaymentAllocation, payment: Payment | None) -> AllocationOut:
        return cls(
            payment_id=row.payment_id,
            method=None if payment is None else payment.method,
            receipt_no=None if payment is None else receipt_number(payment),
            refund_id=row.refund_id,
            amount=decimal_text(row.amount, 2),
            at=row.at,
        )


class BillOut(BaseModel):
    id: int
    home: str = Field(description='building/home, "B1/101"')
    home_id: int
    period: str = Field(description='"2026-10"')
    total: str
    paid: str = Field(description="what its allocations add up to")
    outstanding: str = Field(description="total - paid")
    status: BillStatus
    issued_at: datetime
    lines: list[BillLineOut]
    allocations: list[AllocationOut]

    @classmethod
    def of(cls, session: Session, bill: Bill) -> BillOut:
        home = session.get(Home, bill.home_id)
        assert home is not None
        ids = {i for line in bill.lines for i in (line.start_reading_id, line.end_reading_id) if i}
        readings = {r.id: r for r in session.scalars(select(Reading).where(Reading.id.in_(ids)))}
        rows = allocations_of(session, bill.id)
        paying = {
            p.id: p
            for p in session.scalars(
                select(Payment).where(
                    Payment.id.in_({row.payment_id for row in rows if row.payment_id is not None})
                )
            )
        }
        return cls(
            id=bill.id,
            home=home_label(home),
            home_id=bill.home_id,
            period=bill.period,
            total=decimal_text(bill.total, 2),
            paid=decimal_text(bill.paid, 2),
            outstanding=decimal_text(outstanding(bill), 2),
            status=bill.status,
            issued_at=bill.issued_at,
            lines=[BillLineOut.of(line, readings) for line in bill.lines],
            allocations=[AllocationOut.of(row, paying.get(row.payment_id or 0)) for row in rows],
        )


class ArrearsOut(BaseModel):
    """A bill not wholly paid (欠费) in finance's list."""

    id: int
    home: str
    home_id: int
    period: str
    total: str
    amount: str = Field(description="what is outstanding")
    issued_at: datetime

    @classmethod
    def of(cls, session: Session, bill: Bill) -> ArrearsOut:
        home = session.get(Home, bill.home_id)
        assert home is not None
        return cls(
            id=bill.id,
            home=home_label(home),
            home_id=bill.home_id,
            period=bill.period,
            total=decimal_text(bill.total, 2),
            amount=decimal_text(outstanding(bill), 2),
            issued_at=bill.issued_at,
        )


class BillingProblemOut(BaseModel):
    home: str
    meter: str
    message: str = Field(description="English, for logs and integrators")
    code: Literal["no_readings", "no_reading_in_month", "reading_backwards", "no_register"]
    params: dict[str, str] = Field(description="the figures the translated message names")


class BillingRunOut(BaseModel):
    """What a run did (or, dry run, would do): homes billed, skipped, meters to look at."""

    period: str
    dry_run: bool
    billed: list[str] = Field(description="homes billed, or to bill on a dry run")
    bill_ids: list[int]
    skipped: int = Field(description="homes already billed for the period, left as they were")
    problems: list[BillingProblemOut]

    @classmethod
    def of(cls, result: BillingRunResult) -> BillingRunOut:
        return cls(
            period=result.period,
            dry_run=result.dry_run,
            billed=result.billed,
            bill_ids=result.bill_ids,
            skipped=result.skipped,
            problems=[
                BillingProblemOut(
                    home=p.home, meter=p.meter, message=p.message, code=p.code, params=p.params
                )
                for p in result.problems
            ],
        )


class AgingRowOut(BaseModel):
    """One building's unpaid bills by age (one entry per bucket of `ArrearsAgingOut.buckets`)."""

    site: str
    building: str
    amounts: list[str]
    counts: list[int]
    total: str

    @classmethod
    def of(cls, row: AgingRow) -> AgingRowOut:
        return cls(
            site=row.site,
            building=row.building,
            amounts=[decimal_text(amount, 2) for amount in row.amounts],
            counts=row.counts,
            total=decimal_text(row.total, 2),
        )


class ArrearsAgingOut(BaseModel):
    """欠费账龄: days since each unpaid bill was issued, by estate and building, and in all."""

    buckets: list[str] = Field(description='days since issue: "0-30", "31-90", ...')
    rows: list[AgingRowOut]
    total: AgingRowOut

    @classmethod
    def of(cls, rows: list[AgingRow]) -> ArrearsAgingOut:
        whole = AgingRow(site="", building="")
        for row in rows:
            whole.amounts = [a + b for a, b in zip(whole.amounts, row.amounts, strict=True)]
            whole.counts = [a + b for a, b in zip(whole.counts, row.counts, strict=True)]
        return cls(
            buckets=[label for label, _ in AGING_BUCKETS],
            rows=[AgingRowOut.of(row) for row in rows],
            total=AgingRowOut.of(whole),
        )
