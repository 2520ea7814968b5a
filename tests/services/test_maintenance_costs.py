"""What repairs cost per asset over a period, to the fen: orders completed in [start, end) of the
estate, each record's parts (rounded per line) plus its other cost."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from hub.clock import FakeClock
from hub.context import HubContext
from hub.services import work_orders
from hub.services.maintenance_costs import maintenance_cost
from hub.services.site import LoadResult
from hub.storage.models import Asset
from tests.support.repairs import repair
from tests.support.sites import load_other_site
from tests.support.work_orders import staff


def _asset(context: HubContext, site_id: int, code: str) -> int:
    with context.db.session() as session:
        return session.scalars(
            select(Asset.id).where(Asset.site_id == site_id, Asset.code == code)
        ).one()


def test_the_cost_per_asset_sums_the_orders_completed_in_the_period_to_the_fen(
    context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    other = load_other_site(context)
    pump, lift = _asset(context, site.site_id, "WP-1"), _asset(context, site.site_id, "EL-B1-1")
    start = clock.now()
    end = start + timedelta(days=30)
    repair(context, clock, site.site_id, pump, [("2", "12.35"), ("1.5", "3.33")], "30")  # 59.70
    clock.advance(timedelta(days=1))
    repair(context, clock, site.site_id, pump, [("3", "0.33"), ("0.333", "1.00")])  # 0.99 + 0.33
    repair(context, clock, site.site_id, lift, [], "120.05")
    repair(context, clock, other.site_id, _asset(context, other.site_id, "WP-1"), [], "99")
    repair(context, clock, site.site_id, lift, [("1", "500")], complete=False)  # in progress
    refused = repair(context, clock, site.site_id, lift, [("1", "800")])
    with context.db.session() as session:
        work_orders.refuse(
            session, refused, reason="没修好", by=staff(context, "service"), now=clock.now()
        )
    clock.set(end)
    repair(context, clock, site.site_id, pump, [("1", "1000")])  # at the end: the next period

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
    order_id = repair(context, clock, site.site_id, pump, [("1", "12.34")])
    clock.advance(timedelta(days=40))
    with context.db.session() as session:
        work_orders.confirm_for_estate(
            session, order_id, note="", by=staff(context, "operator"), now=clock.now()
        )
        assert maintenance_cost(session, site.site_id, start, start + timedelta(days=1)) == {
            pump: Decimal("12.34")
        }
        assert maintenance_cost(session, site.site_id, start + timedelta(days=1), clock.now()) == {}
