"""Which asset a work order repairs, set or corrected by staff (customer service, operators,
admins): a rule's order takes its device's asset, an owner's or a phone-in names none until
staff do. Each change is a line in the order's history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hub.domain import OPEN_WORK_ORDER_STATES, WorkOrderStatus
from hub.errors import Conflict, InvalidInput, InvalidTransition
from hub.services import assets, maintenance_records, work_orders
from hub.storage.models import Asset, User, WorkOrder


def set_asset(
    session: Session, order: WorkOrder, asset_id: int | None, *, by: User, now: datetime
) -> WorkOrder:
    """Point the order at an asset of its own estate (None: at none, while it has no record)."""
    if order.status not in (*OPEN_WORK_ORDER_STATES, WorkOrderStatus.COMPLETED):
        raise InvalidTransition(
            f"a work order that is {order.status.value} keeps its asset", code="order_closed"
        )
    asset = assets.get_or_raise(session, asset_id) if asset_id is not None else None
    if asset is not None and asset.site_id != order.site_id:
        raise InvalidInput(
            f"asset {asset.id} is in another estate; 设施不属于该小区",
            code="order_asset_other_estate",
        )
    record = maintenance_records.record_of(session, order.id)
    if asset is None and record is not None:
        raise Conflict(
            "the order has a maintenance record: correct its asset, do not remove it",
            code="order_has_record",
        )
    if order.asset_id == asset_id:
        return order
    before = _label(session.get(Asset, order.asset_id) if order.asset_id else None)
    order.asset_id = asset_id
    change = f"{before} → {_label(asset)}"
    note = f"维修设施 Asset repaired: {change}"
    work_orders.record_note(session, order, now=now, note=note, by=by)
    session.flush()
    work_orders.emit_updated(session, order, now=now)
    return order


def _label(asset: Asset | None) -> str:
    return asset.code if asset is not None else "—"
