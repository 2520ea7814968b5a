"""Bills: owners see their own and start paying them; finance runs the month and follows
arrears (counter payments are a home's: api/routers/home_accounts.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from api.deps import ContextDep, SessionDep, require_role
from api.params import DB_ID_MAX, ObjectId, QueryId
from hub.domain import Role
from hub.services import audit, billing, late_readings, payments, read_audit
from hub.services.bill_views import (
    ArrearsAgingOut,
    ArrearsOut,
    BillingRunOut,
    BillOut,
)
from hub.services.billing import BillFilter, documents
from hub.services.billing.arrears import aging
from hub.services.payment_providers import configured_provider
from hub.storage.models import User

router = APIRouter(tags=["billing"])

Reader = Annotated[
    User,
    Depends(require_role(Role.OWNER, Role.FINANCE, Role.ADMIN, Role.CUSTOMER_SERVICE)),
]
Owner = Annotated[User, Depends(require_role(Role.OWNER))]
Finance = Annotated[User, Depends(require_role(Role.FINANCE, Role.ADMIN))]


class PaymentIntentOut(BaseModel):
    """Where to send the owner: the bill is paid when the provider's notification arrives."""

    out_trade_no: str
    bill_id: int
    provider: str
    amount: str  # yuan, "409.58"
    status: str
    pay_url: str
    params: dict[str, str]


class BillingRunIn(BaseModel):
    period: str
    dry_run: bool = False


@router.get("/bills")
def list_bills(
    session: SessionDep,
    context: ContextDep,
    user: Reader,
    period: str | None = None,
    building: Annotated[str | None, Query(max_length=64, description="a building's code")] = None,
    status: Annotated[
        BillFilter | None, Query(description="overdue: unpaid 30 days after it was issued")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=DB_ID_MAX)] = 0,
) -> list[BillOut]:
    """An owner's own bills; every bill for finance, admin and customer service."""
    bills = billing.list_bills(
        session,
        user,
        period=period,
        building=building,
        status=status,
        now=context.clock.now(),
        limit=limit,
        offset=offset,
    )
    read_audit.staff_read(
        session, user, at=context.clock.now(), target="bills", detail=f"{len(bills)} rows"
    )
    return [BillOut.of(session, bill) for bill in bills]


@router.get("/bills/arrears")
def arrears(session: SessionDep, context: ContextDep, user: Finance) -> list[ArrearsOut]:
    """Unpaid bills (欠费), oldest month first."""
    found = billing.list_arrears(session)
    read_audit.staff_read(
        session, user, at=context.clock.now(), target="arrears", detail=f"{len(found)} rows"
    )
    return [ArrearsOut.of(session, bill) for bill in found]


@router.get("/bills/arrears/aging")
def arrears_aging(
    session: SessionDep, context: ContextDep, user: Finance, site_id: QueryId = None
) -> ArrearsAgingOut:
    """欠费账龄: unpaid amounts and counts by days since issue, per estate and building."""
    rows = aging(session, now=context.clock.now(), site_id=site_id)
    read_audit.staff_read(session, user, at=context.clock.now(), target="arrears-aging")
    return ArrearsAgingOut.of(rows)


@router.get("/bills/{bill_id}")
def get_bill(bill_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader) -> BillOut:
    bill = billing.get_bill_or_raise(session, bill_id, user)
    read_audit.staff_read(session, user, at=context.clock.now(), target=f"bill:{bill.id}")
    return BillOut.of(session, bill)


PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the document"}
}


def _document(
    bill_id: int, session: SessionDep, context: ContextDep, user: User, kind: str
) -> Response:
    """The bill or its receipt as a PDF for whoever may read the bill (an owner: their own)."""
    bill = billing.get_bill_or_raise(session, bill_id, user)
    render = documents.bill_pdf if kind == "bill" else documents.bill_receipt_pdf
    pdf = render(session, bill)
    read_audit.staff_read(session, user, at=context.clock.now(), target=f"{kind}:{bill.id}")
    name = f"{kind}-{bill.period}-{bill.id}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/bills/{bill_id}/pdf", response_class=Response, responses=PDF)
def bill_pdf(bill_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader) -> Response:
    """The bill as a PDF: its lines with readings and tariff versions, and 12 months of use."""
    return _document(bill_id, session, context, user, "bill")


@router.get("/bills/{bill_id}/receipt.pdf", response_class=Response, responses=PDF)
def receipt_pdf(
    bill_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader
) -> Response:
    """The electronic receipt (电子收据) of the newest payment on the bill; 409 `bill_unpaid`
    before any."""
    return _document(bill_id, session, context, user, "receipt")


@router.post("/bills/{bill_id}/pay", status_code=201)
def start_payment(
    bill_id: ObjectId, session: SessionDep, context: ContextDep, user: Owner
) -> PaymentIntentOut:
    """Start paying one's own bill with the configured provider; nothing is paid yet."""
    provider = configured_provider(context.settings)
    intent, start = payments.start_payment(
        session, bill_id=bill_id, owner=user, provider=provider, now=context.clock.now()
    )
    return PaymentIntentOut(
        out_trade_no=intent.out_trade_no,
        bill_id=intent.bill_id,
        provider=intent.provider,
        amount=f"{intent.amount:.2f}",
        status=intent.status.value,
        pay_url=start.pay_url,
        params=dict(start.params),
    )


@router.post("/billing/runs")
def run(
    body: BillingRunIn, session: SessionDep, context: ContextDep, user: Finance
) -> BillingRunOut:
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
    return BillingRunOut.of(result)


@router.get("/billing/late-readings")
def late_readings_list(
    session: SessionDep,
    context: ContextDep,
    user: Finance,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=DB_ID_MAX)] = 0,
) -> list[late_readings.LateReadingView]:
    """Readings that arrived after their month's bill was issued, newest first: settle by hand."""
    found = late_readings.list_late_readings(session, limit=limit, offset=offset)
    read_audit.staff_read(
        session, user, at=context.clock.now(), target="late_readings", detail=f"{len(found)} rows"
    )
    return found
