"""Reading bills: lists for finance and owners, one bill, arrears."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import OWING, BillStatus, Role
from hub.errors import NotFound
from hub.services.billing.periods import parse_period
from hub.services.users import owner_home_ids
from hub.storage.models import Bill, Building, Home, Payment, PaymentAllocation, User


class BillFilter(StrEnum):
    """What finance filters bills by: paid, unpaid (or partly paid), or that past the payment
    term."""

    UNPAID = "unpaid"
    PAID = "paid"
    OVERDUE = "overdue"


PAYMENT_TERM = timedelta(days=30)  # a bill unpaid this long after it was issued is overdue


def list_bills(
    session: Session,
    user: User,
    *,
    period: str | None = None,
    building: str | None = None,
    status: BillFilter | None = None,
    now: datetime | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[Bill]:
    """Newest period first; an owner sees only the bills of their own homes. `building` is a
    building's code (B1); overdue needs `now`."""
    query = select(Bill).order_by(Bill.period.desc(), Bill.home_id, Bill.id)
    if period is not None:
        query = query.where(Bill.period == parse_period(period).text)
    if building is not None:
        homes = select(Home.id).join(Building, Building.id == Home.building_id)
        query = query.where(Bill.home_id.in_(homes.where(Building.code == building)))
    if status is BillFilter.PAID:
        query = query.where(Bill.status == BillStatus.PAID)
    elif status is not None:
        query = query.where(Bill.status.in_(OWING))
    if status is BillFilter.OVERDUE:
        assert now is not None, "overdue is relative to now"
        query = query.where(Bill.issued_at <= now - PAYMENT_TERM)
    if user.role is Role.OWNER:
        query = query.where(Bill.home_id.in_(owner_home_ids(session, user)))
    return list(session.scalars(query.limit(limit).offset(offset)))


def get_bill_or_raise(session: Session, bill_id: int, user: User) -> Bill:
    """The bill if `user` may see it; another owner's bill is "not found"."""
    bill = session.get(Bill, bill_id)
    if bill is None or (
        user.role is Role.OWNER and bill.home_id not in owner_home_ids(session, user)
    ):
        raise NotFound(f"bill {bill_id} not found")
    return bill


def list_arrears(session: Session) -> list[Bill]:
    """Bills not (wholly) paid, oldest period first."""
    return list(
        session.scalars(
            select(Bill).where(Bill.status.in_(OWING)).order_by(Bill.period, Bill.home_id)
        )
    )


def payments_of(session: Session, bill: Bill) -> list[Payment]:
    """The payments allocated to the bill, oldest first."""
    paying = select(PaymentAllocation.payment_id).where(PaymentAllocation.bill_id == bill.id)
    return list(session.scalars(select(Payment).where(Payment.id.in_(paying)).order_by(Payment.id)))
