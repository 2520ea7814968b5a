"""A home's account (户账): finance records counter payments of any amount (allocated oldest
bill first), prepayments (预缴), refunds (退款) and deposits (押金); owners read their own."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import IdField, ObjectId, QueryId
from api.routers.billing import PDF
from hub.domain import Role
from hub.errors import InvalidInput, NotFound
from hub.services import deposits, home_accounts, read_audit, refunds
from hub.services.billing import documents
from hub.services.home_account_views import (
    AllocationPreviewOut,
    DepositOut,
    HomeAccountOut,
    PaymentReceivedOut,
    RefundOut,
)
from hub.storage.models import Payment, User
from hub.storage.models.billing import PaymentMethod
from hub.storage.models.home_accounts import RefundSource

router = APIRouter(tags=["home accounts"])

Finance = Annotated[User, Depends(require_role(Role.FINANCE))]
FinanceReader = Annotated[User, Depends(require_role(Role.FINANCE, Role.ADMIN))]
Reader = Annotated[User, Depends(require_role(Role.FINANCE, Role.ADMIN, Role.OWNER))]
Amount = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
ReceiptNo = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[\w-]+$")]
Reference = Annotated[str | None, Field(max_length=64)]
Reason = Annotated[str, Field(min_length=1, max_length=200)]
CounterMethod = Literal[PaymentMethod.CASH, PaymentMethod.BANK_TRANSFER]


class CounterPaymentIn(BaseModel):
    method: CounterMethod
    amount: Amount
    receipt_no: ReceiptNo
    reference: Reference = None


class RefundIn(BaseModel):
    source: Literal[RefundSource.BALANCE, RefundSource.PAYMENT]
    payment_id: IdField | None = Field(None, description="the payment refunded (source payment)")
    amount: Amount
    reason: Reason


class DepositIn(BaseModel):
    purpose: Annotated[str, Field(min_length=1, max_length=60, examples=["装修押金"])]
    method: CounterMethod
    amount: Amount
    receipt_no: ReceiptNo
    reference: Reference = None


class DepositRefundIn(BaseModel):
    amount: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
    deducted: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] = Decimal(0)
    reason: Reason


@router.get("/homes/{home_id}/account")
def account(
    home_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader
) -> HomeAccountOut:
    """Balance, its movements, payments, refunds and deposits (an owner: their own home)."""
    home = home_accounts.home_for_reader_or_raise(session, home_id, user)
    read_audit.staff_read(session, user, at=context.clock.now(), target=f"account:{home_id}")
    return HomeAccountOut.of(session, home)


@router.get("/homes/{home_id}/allocation")
def allocation_preview(
    home_id: ObjectId,
    session: SessionDep,
    user: FinanceReader,
    amount: Annotated[Decimal, Query(gt=0, max_digits=14, decimal_places=2)],
) -> AllocationPreviewOut:
    """How a counter payment of `amount` would be allocated; nothing is recorded."""
    home_accounts.home_for_reader_or_raise(session, home_id, user)
    return AllocationPreviewOut.of(session, home_id, amount)


def _receive(
    home_id: int,
    body: CounterPaymentIn,
    session: SessionDep,
    context: ContextDep,
    user: User,
    *,
    prepay: bool,
) -> PaymentReceivedOut:
    payment = home_accounts.record_counter_payment(
        session,
        home_id=home_id,
        method=PaymentMethod(body.method),
        amount=body.amount,
        receipt_no=body.receipt_no,
        reference=body.reference,
        prepay=prepay,
        by=user,
        now=context.clock.now(),
    )
    return PaymentReceivedOut.of(session, payment)


@router.post("/homes/{home_id}/payments", status_code=201)
def record_payment(
    home_id: ObjectId,
    body: CounterPaymentIn,
    session: SessionDep,
    context: ContextDep,
    user: Finance,
) -> PaymentReceivedOut:
    """Cash or a transfer received for a home: oldest bills first, the rest to its balance."""
    return _receive(home_id, body, session, context, user, prepay=False)


@router.post("/homes/{home_id}/prepayments", status_code=201)
def prepay(
    home_id: ObjectId,
    body: CounterPaymentIn,
    session: SessionDep,
    context: ContextDep,
    user: Finance,
) -> PaymentReceivedOut:
    """预缴: money paid in advance, all to the balance; new bills take from it when written."""
    return _receive(home_id, body, session, context, user, prepay=True)


@router.post("/homes/{home_id}/refunds", status_code=201)
def refund(
    home_id: ObjectId, body: RefundIn, session: SessionDep, context: ContextDep, user: Finance
) -> RefundOut:
    """退款 from the balance, or of a payment (its bills are outstanding again, newest first)."""
    now = context.clock.now()
    if body.source is RefundSource.BALANCE:
        done = refunds.refund_balance(
            session, home_id=home_id, amount=body.amount, reason=body.reason, by=user, now=now
        )
        return RefundOut.of(done)
    if body.payment_id is None:
        raise InvalidInput("a payment refund names its payment_id")
    paid = session.get(Payment, body.payment_id)
    if paid is None or paid.home_id != home_id:
        raise NotFound(f"payment {body.payment_id} of home {home_id} not found")
    done = refunds.refund_payment(
        session, payment_id=paid.id, amount=body.amount, reason=body.reason, by=user, now=now
    )
    return RefundOut.of(done)


@router.post("/homes/{home_id}/deposits", status_code=201)
def record_deposit(
    home_id: ObjectId, body: DepositIn, session: SessionDep, context: ContextDep, user: Finance
) -> DepositOut:
    """A deposit received (押金), held apart from bills."""
    deposit = deposits.record_deposit(
        session,
        home_id=home_id,
        purpose=body.purpose,
        amount=body.amount,
        method=PaymentMethod(body.method),
        receipt_no=body.receipt_no,
        reference=body.reference,
        by=user,
        now=context.clock.now(),
    )
    return DepositOut.of(session, deposit)


@router.post("/deposits/{deposit_id}/refunds", status_code=201)
def refund_deposit(
    deposit_id: ObjectId,
    body: DepositRefundIn,
    session: SessionDep,
    context: ContextDep,
    user: Finance,
) -> RefundOut:
    """Give a deposit back, whole or in part, stating what is kept and why."""
    done = deposits.refund_deposit(
        session,
        deposit_id=deposit_id,
        amount=body.amount,
        deducted=body.deducted,
        reason=body.reason,
        by=user,
        now=context.clock.now(),
    )
    return RefundOut.of(done)


@router.get("/deposits")
def list_deposits(
    session: SessionDep, context: ContextDep, user: FinanceReader, site_id: QueryId = None
) -> list[DepositOut]:
    """The estate's deposits (or every estate's), newest first."""
    found = deposits.deposits_of(session, site_id=site_id)
    read_audit.staff_read(
        session, user, at=context.clock.now(), target="deposits", detail=f"{len(found)} rows"
    )
    return [DepositOut.of(session, row) for row in found]


@router.get("/payments/{payment_id}/receipt.pdf", response_class=Response, responses=PDF)
def receipt_pdf(
    payment_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader
) -> Response:
    """A payment's electronic receipt (电子收据): the bills it paid and the balance left."""
    paid = session.get(Payment, payment_id)
    if paid is None:
        raise NotFound(f"payment {payment_id} not found")
    home_accounts.home_for_reader_or_raise(session, paid.home_id, user)
    pdf = documents.receipt_pdf(session, paid)
    read_audit.staff_read(session, user, at=context.clock.now(), target=f"receipt:{paid.id}")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="receipt-{paid.id}.pdf"'},
    )
