"""Retiring a device, or replacing it with a new one (a meter with both registers), and the
record of each swap."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.deps import ContextDep, SessionDep
from api.params import ObjectId
from api.routers.devices import Admin, DeviceOut, Viewer, decimal_text, device_out
from hub.services import device_swaps, devices
from hub.site_file import DEVICE_CODE
from hub.storage.models import DeviceSwap, User

router = APIRouter(prefix="/devices", tags=["devices"])


class RetireIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="e.g. 损坏 broken beyond repair")


Register = Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=6)]


class ReplaceIn(BaseModel):
    code: str = Field(
        min_length=1,
        max_length=64,
        pattern=DEVICE_CODE,
        description="the new device's, as it publishes",
    )
    name: str | None = Field(
        default=None, min_length=1, max_length=200, description="the old one's if left out"
    )
    reason: str = Field(default="", max_length=500)
    final_reading: Register | None = Field(
        default=None, description="a meter: the old register's last value; others: leave out"
    )
    initial_reading: Register | None = Field(
        default=None, description="a meter: the new register's value when fitted"
    )


class SwapOut(BaseModel):
    id: int
    old_device_id: int
    old_code: str
    new_device_id: int
    new_code: str
    at: datetime
    by: str = Field(description="the admin's username")
    reason: str
    metric: str | None = Field(description="a meter's reading key; null: not a meter")
    final_reading: str | None = Field(description="exact decimal, stored as a reading")
    initial_reading: str | None
    final_reading_id: int | None
    initial_reading_id: int | None


def _swap_out(session: Session, swap: DeviceSwap) -> SwapOut:
    old = devices.get_or_raise(session, swap.old_device_id)
    new = devices.get_or_raise(session, swap.new_device_id)
    by = session.get(User, swap.by_id)
    return SwapOut(
        id=swap.id,
        old_device_id=old.id,
        old_code=old.code,
        new_device_id=new.id,
        new_code=new.code,
        at=swap.at,
        by=by.username if by else "",
        reason=swap.reason,
        metric=swap.metric,
        final_reading=None if swap.final_value is None else decimal_text(swap.final_value),
        initial_reading=None if swap.initial_value is None else decimal_text(swap.initial_value),
        final_reading_id=swap.final_reading_id,
        initial_reading_id=swap.initial_reading_id,
    )


@router.post("/{device_id}/retire")
def retire_device(
    device_id: ObjectId, body: RetireIn, session: SessionDep, context: ContextDep, user: Admin
) -> DeviceOut:
    """Take the device out of service: no offline alarms for it, its messages dead-lettered;
    it stays listed (state `retired`) with its readings."""
    device = devices.get_or_raise(session, device_id)
    device_swaps.retire(session, device, body.reason, by=user, now=context.clock.now())
    [summary] = devices.summarise(session, [device])
    return device_out(summary)


@router.post("/{device_id}/replace", status_code=201)
def replace_device(
    device_id: ObjectId, body: ReplaceIn, session: SessionDep, context: ContextDep, user: Admin
) -> SwapOut:
    """Retire the device and put a new one (`code`) in its place, home, plan icon and meter;
    a meter needs the old register's final and the new one's initial reading."""
    device = devices.get_or_raise(session, device_id)
    new = device_swaps.Replacement(**body.model_dump())
    swap = device_swaps.replace(session, device, new, by=user, now=context.clock.now())
    return _swap_out(session, swap)


@router.get("/{device_id}/swaps")
def list_swaps(device_id: ObjectId, session: SessionDep, _: Viewer) -> list[SwapOut]:
    """The replacements the device took part in (as the old or the new one), oldest first."""
    devices.get_or_raise(session, device_id)
    return [_swap_out(session, s) for s in device_swaps.swaps_of(session, device_id)]
