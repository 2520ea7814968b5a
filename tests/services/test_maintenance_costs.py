"""What repairs cost per asset over a period, to the fen: orders completed in [start, end) of the
estate, each record's parts (rounded per line) plus its other cost."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import FailureCause, Priority, RepairRemedy
from hub.services import maintenance_records, work_orders
from hub.services.maintenance_costs import maintenance_cost
from hub.services.maintenance_records import PartLine, RecordData
from hub.services.site import LoadResult
from hub.services.work_orders import WorkOrderRequest
from hub.storage.models import Asset
from tests.support.sites import load_other_site
from tests.support.work_orders import dispatch, staff


def _asset(context: HubContext, site_id: int, code: str) -> int:
    with context.db.session() as session:
        return session.scalars(
            select(Asset.id).where(Asset.site_id == site_id, Asset.code == code)
        ).one()


def _repair(
    context: HubContext,
    clock: FakeClock,
    site_id: int,
    asset_id: int,
    parts: list[tuple[str, str]],
    other: str = "0",
    *,
    complete: bool = True,
) -> int:
    """An order on the asset, recorded with `parts` (quantity, unit price) and completed now."""
    with context.db.session() as session:
        order, _ = work_orders.open_work_order(
            session,
            WorkOrderRequest(site_id, "fault", Priority.NORMAL, "维修 Repair", asset_id=asset_id),
            now=clock.now(),
        )
        order_id = order.id
    tech = dispatch(context, clock, order_id)
    lines = [PartLine("配件 Part", Decimal(q), Decimal(p)) for q, p in parts]
    data = RecordData(
        FailureCause.WEAR, RepairRemedy.REPAIR, other_cost=Decimal(other), parts=lines
    )
    with context.db.session() as session:
        work_orders.start(session, order_id, by=tech, now=clock.now())
        order = work_orders.get_visible_or_raise(session, order_id, tech)
        maintenance_records.write(session, order, data, by=tech, now=clock.now())
        if complete:
            work_orders.complete(session, order_id, report="修好 Fixed", by=tech, now=clock.now())
    return order_id


def test_the_cost_per_asset_sums_the_orders_completed_in_the_period_to_the_fen(
    context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    other = load_other_site(context)
    pump, lift = _asset(context, site.site_id, "WP-1"), _asset(context, site.site_id, "EL-B1-1")
    start = clock.now()
    end = start + timedelta(days=30)
    _repair(context, clock, site.site_id, pump, [("2", "12.35"), ("1.5", "3.33")], "30")  # 59.70
    clock.advance(timedelta(days=1))
    _repair(context, clock, site.site_id, pump, [("3", "0.33"), ("0.333", "1.00")])  # 0.99 + 0.33
    _repair(context, clock, site.site_id, lift, [], "120.05")
    _repair(context, clock, other.site_id, _asset(context, other.site_id, "WP-1"), [], "99")
    _repair(context, clock, site.site_id, lift, [("1", "500")], complete=False)  # in progress
    refused = _repair(context, clock, site.site_id, lift, [("1", "800")])
    with context.db.session() as session:
        work_orders.refuse(
            session, refused, reason="没修好", by=staff(context, "service"), now=clock.now()
        )
    clock.set(end)
    _repair(context, clock, site.site_id, pump, [("1", "1000")])  # at the end: the next period

    with context.db.session() as session:
        costs = maintenance_cost(session, site.site_id, start, end)
        assert costs == {pump: Decimal("61.02"), lift: Decimal("120.05")}
        assert all(str(c) == f"{c:.2f}" for c in costs.values())  # to the fen, as Decimals
        assert maintenance_cost(session, site.site_id, end, end + timedelta(days=1)) == {
            pump: Decimal("1000.00")
        }
        assert maintenance_cost(session, site.site_id, start - timedelta(days=1), start) == {}


def test_a_confirmed_repair_still_counts_in_the_period_it_was_completed(
    context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    pump = _asset(context, site.site_id, "WP-1")
    start: datetime = clock.now()
    order_id = _repair(context, clock, site.site_id, pump, [("1", "12.34")])
    clock.advance(timedelta(days=40))
    with context.db.session() as session:
        work_orders.confirm_for_estate(
            session, order_id, note="", by=staff(context, "operator"), now=clock.now()
        )
        assert maintenance_cost(session, site.site_id, start, start + timedelta(days=1)) == {
            pump: Decimal("12.34")
        }
        assert maintenance_cost(session, site.site_id, start + timedelta(days=1), clock.now()) == {}
