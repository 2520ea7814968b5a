"""Usage (用量): an owner's own monthly consumption per meter, for the chart beside the bills."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from hub.domain import Role
from hub.services import usage
from hub.services.billing import decimal_text
from hub.storage.models import User

router = APIRouter(prefix="/usage", tags=["billing"])

Owner = Annotated[User, Depends(require_role(Role.OWNER))]


class UsageMonthOut(BaseModel):
    period: str = Field(description='the month, "YYYY-MM"')
    quantity: str | None = Field(description="used, in the meter's unit; null: unknown")
    complete: bool = Field(description="false for the month still running (used up to now)")


class MeterUsageOut(BaseModel):
    home: str = Field(description='building/home, e.g. "B1/101"')
    meter: str = Field(description="the meter's device code")
    utility: str = Field(description="electricity, water, ...")
    unit: str
    months: list[UsageMonthOut] = Field(description="oldest first, the current month last")


class UsageOut(BaseModel):
    meters: list[MeterUsageOut]


@router.get("")
def my_usage(session: SessionDep, context: ContextDep, owner: Owner) -> UsageOut:
    """The last 12 months of each meter of the caller's own homes, from its readings."""
    found = usage.owner_usage(session, owner, now=context.clock.now())
    return UsageOut(
        meters=[
            MeterUsageOut(
                home=item.home,
                meter=item.meter,
                utility=item.utility,
                unit=item.unit,
                months=[
                    UsageMonthOut(
                        period=month.period,
                        quantity=None if month.quantity is None else decimal_text(month.quantity),
                        complete=month.complete,
                    )
                    for month in item.months
                ],
            )
            for item in found
        ]
    )
