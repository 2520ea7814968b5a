"""Retiring a device, or replacing it with a new one (for a meter, with both registers).

A retired device stays in the ledger with its history, but the hub stops expecting it: the
silence timer skips it (no offline alarm) and ingest dead-letters what it still sends. A
replacement is a new device in the old one's place (home, building, location, gateway, plan
icon, meter); for a meter the old register's final value and the new one's initial value are
stored as readings at the swap and kept on the `DeviceSwap`, which billing reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub import events
from hub.errors import Conflict, InvalidInput
from hub.services import audit
from hub.storage.models import Checkpoint, Device, DeviceSwap, Meter, Reading, User
from hub.storage.readings import store_readings


@dataclass(frozen=True)
class Replacement:
    """What the new device is, and for a meter the two registers read at the swap."""

    code: str
    name: str | None = None  # the old one's if left out
    reason: str = ""
    final_reading: Decimal | None = None
    initial_reading: Decimal | None = None


def retire(session: Session, device: Device, reason: str, *, by: User, now: datetime) -> None:
    """Take the device out of service: not expected online, its messages dead-lettered."""
    refuse_retired(device)
    device.retired_at = now
    device.retired_reason = reason
    device.online = None
    _changed(session, device.id, now)
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action="retire_device",
        target=f"device:{device.id}",
        detail=reason,
    )


def replace(
    session: Session, old: Device, new: Replacement, *, by: User, now: datetime
) -> DeviceSwap:
    """Retire `old` and put a new device in its place; a meter needs both registers."""
    refuse_retired(old)
    meter = session.scalars(select(Meter).where(Meter.device_id == old.id)).one_or_none()
    _check_readings(session, old, meter, new)
    taken = select(Device.id).where(Device.site_id == old.site_id, Device.code == new.code)
    if session.scalar(taken) is not None:
        raise Conflict(
            f"code: {new.code!r} is taken in this estate; 设备编码已存在", code="device_code_taken"
        )
    device = Device(
        site_id=old.site_id,
        code=new.code,
        kind=old.kind,
        name=new.name or old.name,
        building_id=old.building_id,
        home_id=old.home_id,
        location=old.location,
        heartbeat_s=old.heartbeat_s,
        gateway_id=old.gateway_id,
        plan_id=old.plan_id,
        plan_x=old.plan_x,
        plan_y=old.plan_y,
    )
    session.add(device)
    session.flush()
    _changed(session, device.id, now)
    old.plan_id = old.plan_x = old.plan_y = None
    session.execute(update(Device).where(Device.gateway_id == old.id).values(gateway_id=device.id))
    session.execute(
        update(Checkpoint)
        .where(Checkpoint.reader_device_id == old.id)
        .values(reader_device_id=device.id)
    )
    swap = DeviceSwap(
        site_id=old.site_id,
        old_device_id=old.id,
        new_device_id=device.id,
        at=now,
        by_id=by.id,
        reason=new.reason,
    )
    if meter is not None:
        _swap_meter(session, meter, device, swap, new, now)
    session.add(swap)
    why = f"replaced by {new.code}" + (f": {new.reason}" if new.reason else "")
    retire(session, old, why, by=by, now=now)
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action="replace_device",
        target=f"device:{old.id}",
        detail=f"by device:{device.id} {new.code}",
    )
    session.flush()
    return swap


def swaps_of(session: Session, device_id: int) -> list[DeviceSwap]:
    """The swaps the device took part in, old or new, oldest first."""
    query = select(DeviceSwap).where(
        (DeviceSwap.old_device_id == device_id) | (DeviceSwap.new_device_id == device_id)
    )
    return list(session.scalars(query.order_by(DeviceSwap.at, DeviceSwap.id)))


def _changed(session: Session, device_id: int, now: datetime) -> None:
    """Tell the live feed (lists and maps reload the device), sent at commit."""
    events.emit(session, "device.updated", {"id": device_id, "at": now.isoformat()})


def refuse_retired(device: Device) -> None:
    """A retired device takes no command, retirement or replacement: a 409."""
    if device.retired_at is not None:
        raise Conflict(f"device {device.code} is retired; 设备已退役", code="device_retired")


def _check_readings(session: Session, old: Device, meter: Meter | None, new: Replacement) -> None:
    """A meter needs both registers, the final no lower than the last reading; others none."""
    given = new.final_reading is not None or new.initial_reading is not None
    if meter is None:
        if given:
            raise InvalidInput(
                f"final_reading: {old.code} is not a meter; 该设备不是计量表", code="not_a_meter"
            )
        return
    if new.final_reading is None or new.initial_reading is None:
        raise InvalidInput(
            "final_reading, initial_reading: a meter's swap needs both registers; "
            "换表须填写旧表止码和新表起码",
            code="meter_readings_required",
        )
    last = session.scalar(
        select(Reading.value)
        .where(Reading.device_id == old.id, Reading.metric == meter.reading_key)
        .order_by(Reading.ts.desc())
        .limit(1)
    )
    if last is not None and new.final_reading < last:
        raise InvalidInput(
            f"final_reading: {new.final_reading} is below the last reading {last.normalize()}; "
            "旧表止码不能小于最后一次读数",
            code="final_below_last",
        )


def _swap_meter(
    session: Session,
    meter: Meter,
    device: Device,
    swap: DeviceSwap,
    new: Replacement,
    now: datetime,
) -> None:
    """The new device meters the same home; both registers are stored as readings at `now`."""
    session.add(
        Meter(
            device_id=device.id,
            home_id=meter.home_id,
            utility=meter.utility,
            reading_key=meter.reading_key,
            unit=meter.unit,
            register_max=meter.register_max,
            share_basis=meter.share_basis,
        )
    )
    key = meter.reading_key
    rows = [
        (meter.device_id, key, now, new.final_reading, None, now),
        (device.id, key, now, new.initial_reading, None, now),
    ]
    (final_id, _), (initial_id, _) = store_readings(session, rows, source="swap")
    swap.metric = key
    swap.final_value, swap.initial_value = new.final_reading, new.initial_reading
    swap.final_reading_id, swap.initial_reading_id = final_id, initial_id
