"""The shapes of bills that people see: the owner's bill page, finance's tables and a run's report.

Amounts are strings with two decimals ("409.58") and quantities as many as they carry, so no
client ever turns money into a float; each line names the two readings behind it so an owner
can check the arithmetic.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import BillStatus, ShareBasis, Utility
from hub.services.allocation import allocations_of, outstanding
from hub.services.billing import BillingRunResult, decimal_text, home_label
from hub.services.billing.arrears import AGING_BUCKETS, AgingRow
from hub.services.billing.credit_notes import credit_note_of, rebill_of
from hub.services.billing.reading_values import corrected_values
from hub.services.billing.text import receipt_number
from hub.storage.models import (
    Bill,
    BillLine,
    CreditNote,
    Device,
    Home,
    Meter,
    Payment,
    PaymentAllocation,
    Reading,
)
from hub.storage.models.billing import PaymentMethod


class MeterReadingOut(BaseModel):
    id: int
    value: str = Field(description="what billing uses: the corrected value, if corrected")
    ts: datetime
    original: str | None = Field(
        default=None, description="人工更正: the value as read, when a correction replaced it"
    )

    @classmethod
    def of(cls, reading: Reading | None, corrected: dict[int, Decimal]) -> MeterReadingOut | None:
        if reading is None:
            return None
        value = corrected.get(reading.id, reading.value)
        if value is None:
            return None
        original = None
        if reading.id in corrected:
            original = "" if reading.value is None else decimal_text(reading.value)
        return cls(id=reading.id, value=decimal_text(value), ts=reading.ts, original=original)


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
    meter_id: int | None = Field(description="the meter of a metered line")
    meter: str | None = Field(description="that meter's device code, em-b1-101")
    estimated: bool = Field(description="估抄: the quantity is an estimate (no reading)")
    estimated_end: str | None = Field(description="估抄: the register the estimate assumed")
    corrected: bool = Field(description="已更正: a reading behind the line was corrected")

    @classmethod
    def of(
        cls,
        line: BillLine,
        readings: dict[int, Reading],
        corrected: dict[int, Decimal],
        meters: dict[int, str],
    ) -> BillLineOut:
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
            start_reading=MeterReadingOut.of(readings.get(line.start_reading_id or 0), corrected),
            end_reading=MeterReadingOut.of(readings.get(line.end_reading_id or 0), corrected),
            share_basis=line.share_basis,
            meter_id=line.meter_id,
            meter=meters.get(line.meter_id or 0),
            estimated=line.estimated,
            estimated_end=None if line.estimated_end is None else decimal_text(line.estimated_end),
            corrected=line.corrected,
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


class CreditNoteOut(BaseModel):
    """红字冲销: a bill credited in full."""

    id: int
    number: str = Field(description='"CN-2026-000123"')
    bill_id: int
    period: str
    home_id: int
    amount: str
    reason: str
    created_at: datetime
    rebill_id: int | None = Field(description="the bill that replaced the credited one, if any")

    @classmethod
    def of(cls, session: Session, note: CreditNote, bill: Bill) -> CreditNoteOut:
        rebill = rebill_of(session, bill)
        return cls(
            id=note.id,
            number=note.number,
            bill_id=bill.id,
            period=bill.period,
            home_id=bill.home_id,
            amount=decimal_text(note.amount, 2),
            reason=note.reason,
            created_at=note.created_at,
            rebill_id=None if rebill is None else rebill.id,
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
    revision: int = Field(description="1: the billing run's; 2 and on: re-bills (重开)")
    replaces_id: int | None = Field(description="重开: the credited bill this one replaces")
    replaced_by_id: int | None = Field(description="the re-bill that replaced this one")
    credit_note: CreditNoteOut | None = Field(description="冲销: the note that credited it")
    allocations: list[AllocationOut]

    @classmethod
    def of(cls, session: Session, bill: Bill) -> BillOut:
        home = session.get(Home, bill.home_id)
        assert home is not None
        ids = {i for line in bill.lines for i in (line.start_reading_id, line.end_reading_id) if i}
        readings = {r.id: r for r in session.scalars(select(Reading).where(Reading.id.in_(ids)))}
        corrected = corrected_values(session, ids)
        meter_ids = {line.meter_id for line in bill.lines if line.meter_id}
        meters = {
            meter_id: code
            for meter_id, code in session.execute(
                select(Meter.id, Device.code)
                .join(Device, Device.id == Meter.device_id)
                .where(Meter.id.in_(meter_ids))
            )
        }
        note = credit_note_of(session, bill)
        rebill = rebill_of(session, bill)
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
            lines=[BillLineOut.of(line, readings, corrected, meters) for line in bill.lines],
            revision=bill.revision,
            replaces_id=bill.replaces_id,
            replaced_by_id=None if rebill is None else rebill.id,
            credit_note=None if note is None else CreditNoteOut.of(session, note, bill),
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
