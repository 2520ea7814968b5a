"""Bills: owners see and pay their own; finance runs the month and follows arrears."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from api.deps import ContextDep, SessionDep, require_role
from hub.domain import Role
from hub.services import audit, billing
from hub.storage.models import User

router = APIRouter(tags=["billing"])

Reader = Annotated[
    User,
    Depends(require_role(Role.OWNER, Role.FINANCE, Role.ADMIN, Role.CUSTOMER_SERVICE)),
]
Payer = Annotated[User, Depends(require_role(Role.OWNER, Role.FINANCE, Role.ADMIN))]
Finance = Annotated[User, Depends(require_role(Role.FINANCE, Role.ADMIN))]


class PaymentIn(BaseModel):
    method: billing.PaymentMethod


class BillingRunIn(BaseModel):
    period: str
    dry_run: bool = False


@router.get("/bills")
def list_bills(
    session: SessionDep,
    user: Reader,
    period: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[Any]:
    """An owner's own bills; every bill for finance, admin and customer service."""
    bills = billing.list_bills(session, user, period=period, limit=limit, offset=offset)
    return [billing.bill_view(session, bill) for bill in bills]


@router.get("/bills/arrears")
def arrears(session: SessionDep, user: Finance) -> list[Any]:
    """Unpaid bills (欠费), oldest month first."""
    return [billing.arrears_view(session, bill) for bill in billing.list_arrears(session)]


@router.get("/bills/{bill_id}")
def get_bill(bill_id: int, session: SessionDep, user: Reader) -> dict[str, Any]:
    return billing.bill_view(session, billing.get_bill_or_raise(session, bill_id, user))


@router.post("/bills/{bill_id}/pay", status_code=201)
def pay(
    bill_id: int, body: PaymentIn, session: SessionDep, context: ContextDep, user: Payer
) -> dict[str, Any]:
    """Pay a bill in full (an owner their own; finance records a counter payment)."""
    now = context.clock.now()
    payment = billing.pay_bill(session, bill_id=bill_id, method=body.method, by=user, now=now)
    audit.record(
        session,
        at=now,
        user_id=user.id,
        action="pay",
        target=f"bill:{bill_id}",
        detail=f"{payment.method} {payment.amount} {payment.reference}",
    )
    return billing.bill_view(session, billing.get_bill_or_raise(session, bill_id, user))


@router.post("/billing/runs")
def run(
    body: BillingRunIn, session: SessionDep, context: ContextDep, user: Finance
) -> dict[str, Any]:
    """Bill every home for a month that has ended; running it again bills nobody twice."""
    now = context.clock.now()
    result = billing.run_billing(session, period=body.period, now=now, dry_run=body.dry_run)
    if not body.dry_run:
        audit.record(
            session,
            at=now,
            user_id=user.id,
            action="billing_run",
            target=f"period:{result.period}",
            detail=f"{len(result.bill_ids)} billed, {result.skipped} skipped, "
            f"{len(result.problems)} problems",
        )
    return billing.result_view(result)
