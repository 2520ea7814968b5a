"""A meter swapped mid-month, for any registers: the month bills the old meter's start to its
final reading plus the new one's initial to its end, on one household's tiers, and running the
month again adds nothing."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.context import HubContext
from hub.domain import Utility
from hub.services import device_swaps
from hub.services.billing import run_billing
from hub.services.device_swaps import Replacement
from hub.services.site import LoadResult
from hub.storage.models import Bill, BillLine, Device, User
from tests.services.test_billing import AFTER_OCTOBER, add_readings, bill_of, local

registers = st.decimals(min_value=0, max_value=9_000, places=1)
uses = st.decimals(min_value=0, max_value=900, places=1)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=registers, before_swap=uses, at_swap=uses, initial=registers, after=uses)
def test_a_swapped_month_bills_both_meters_once(
    context: HubContext,
    site: LoadResult,
    start: Decimal,
    before_swap: Decimal,
    at_swap: Decimal,
    initial: Decimal,
    after: Decimal,
) -> None:
    final = start + before_swap + at_swap
    with context.db.session() as s:
        add_readings(
            s,
            "em-b1-101",
            "energy_kwh",
            ("2026-09-30 23:00", str(start)),
            ("2026-10-10 12:00", str(start + before_swap)),
        )
        old = s.scalars(sa.select(Device).where(Device.code == "em-b1-101")).one()
        admin = s.scalars(sa.select(User).where(User.username == "admin")).one()
        swap = Replacement(
            code="em-b1-101-2", final_reading=final, initial_reading=initial, reason="坏了 broken"
        )
        device_swaps.replace(s, old, swap, by=admin, now=local("2026-10-15 12:00"))
        add_readings(s, "em-b1-101-2", "energy_kwh", ("2026-10-31 23:00", str(initial + after)))
        run_billing(s, period="2026-10", now=AFTER_OCTOBER)
        bill = bill_of(s, "B1/101")
        metered = [line for line in bill.lines if line.meter_id is not None]
        used = sum(line.quantity for line in metered if line.utility is Utility.ELECTRICITY)
        assert used == (final - start) + after
        written = s.scalar(sa.select(sa.func.count(BillLine.id)))
        again = run_billing(s, period="2026-10", now=AFTER_OCTOBER)
        assert again.billed == [] and again.bill_ids == []
        assert s.scalar(sa.select(sa.func.count(BillLine.id))) == written
        assert s.scalar(sa.select(sa.func.count(Bill.id))) == again.skipped
        s.rollback()
