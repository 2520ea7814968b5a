"""One-off charges (一次性费用): finance adds a charge to a home (装修管理费, 门禁卡工本费, 其他);
the next billing run puts it on that home's bill as its own line, once (the line points at the
charge, uniquely). Until then it can be withdrawn; once billed it stays (a correction is a
credit note). Every change is audited."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import OneOffKind
from hub.errors import Conflict, NotFound
from hub.services import audit
from hub.services.billing.text import home_label
from hub.storage.models import Bill, BillLine, Home, OneOffCharge, User


def list_for_home(session: Session, home: Home) -> list[OneOffCharge]:
    """The home's charges, newest first, withdrawn ones too."""
    return list(
        session.scalars(
            select(OneOffCharge)
            .where(OneOffCharge.home_id == home.id)
            .order_by(OneOffCharge.created_at.desc(), OneOffCharge.id.desc())
        )
    )


def billed_on(session: Session, charge_ids: list[int]) -> dict[int, Bill]:
    """The bill each billed charge is on."""
    rows = session.execute(
        select(BillLine.one_off_charge_id, Bill)
        .join(Bill, Bill.id == BillLine.bill_id)
        .where(BillLine.one_off_charge_id.in_(charge_ids))
    )
    return {charge_id: bill for charge_id, bill in rows if charge_id is not None}


def add(
    session: Session,
    home: Home,
    *,
    kind: OneOffKind,
    description: str,
    amount: Decimal,
    by: User,
    now: datetime,
) -> OneOffCharge:
    charge = OneOffCharge(
        home_id=home.id,
        kind=kind,
        description=description,
        amount=amount,
        created_at=now,
        created_by_id=by.id,
    )
    session.add(charge)
    session.flush()
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action="one_off_charge_added",
        target=f"one_off_charge:{charge.id}",
        detail=f"{home_label(home)} {kind.value} {amount:.2f}: {description}",
    )
    return charge


def withdraw(session: Session, charge_id: int, *, by: User, now: datetime) -> OneOffCharge:
    """Take back a charge not billed yet; a billed one is refused (409 `charge_billed`)."""
    charge = session.get(OneOffCharge, charge_id)
    if charge is None:
        raise NotFound(f"one-off charge {charge_id} does not exist")
    if charge.withdrawn_at is not None:
        raise Conflict(f"one-off charge {charge_id} was withdrawn already", code="charge_withdrawn")
    bill = billed_on(session, [charge.id]).get(charge.id)
    if bill is not None:
        raise Conflict(
            f"one-off charge {charge_id} is on the {bill.period} bill: it cannot be withdrawn",
            code="charge_billed",
        )
    charge.withdrawn_at, charge.withdrawn_by_id = now, by.id
    session.flush()
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action="one_off_charge_withdrawn",
        target=f"one_off_charge:{charge.id}",
        detail=f"{home_label(charge.home)} {charge.kind.value} {charge.amount:.2f}",
    )
    return charge
