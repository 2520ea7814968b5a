"""Alarm lifecycle: flapping folds, re-raise on closing a work order, gateway suppression and
joint recovery, auto-assignment from the duty roster, and a state-machine property test."""

from __future__ import annotations

import secrets
from datetime import timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.clock import FakeClock
from hub.context import HubContext
from hub.domain import AlertState, Priority, Severity, WorkOrderStatus
from hub.errors import InvalidTransition
from hub.services import alerts, work_orders
from hub.services.alert_query import AlertQuery, AlertView, list_alerts
from hub.services.alerts import FLAP_LIMIT, FLAP_WINDOW, AlertRequest
from hub.services.automation import apply_actions
from hub.services.site import LoadResult
from hub.storage.models import Alert, Asset, Device, User, WorkOrder
from rules.actions import ClearAlert, OpenWorkOrder, RaiseAlert
from tests.services.alarm_fixtures import estate

__all__ = ["estate"]

EVERY = AlertQuery(view=AlertView.ALL)


def device_id(session: Session, code: str) -> int:
    found = session.scalar(select(Device.id).where(Device.code == code))
    assert found is not None
    return found


def user(session: Session, username: str) -> User:
    found = session.scalars(select(User).where(User.username == username)).one()
    return found


def leak(
    site_id: int, device: int, rule: str = "water-leak", home: int | None = None
) -> list[RaiseAlert | OpenWorkOrder]:
    return [
        OpenWorkOrder(
            rule, device, site_id, None, "wet", "plumbing", Priority.URGENT, "漏水", home_id=home
        ),
        RaiseAlert(rule, device, site_id, None, "wet", Severity.CRITICAL, "漏水 Leak"),
    ]


def offline(site_id: int, device: int) -> list[RaiseAlert | OpenWorkOrder]:
    return [
        OpenWorkOrder(
            "device-offline", device, site_id, None, "silent", "device", Priority.NORMAL, "离线"
        ),
        RaiseAlert("device-offline", device, site_id, None, "silent", Severity.MINOR, "离线"),
    ]


def keyed(session: Session, key: str) -> list[Alert]:
    return list(session.scalars(select(Alert).where(Alert.dedup_key == key).order_by(Alert.id)))


def test_flapping_folds_into_one_alarm(
    context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    with context.db.session() as session:
        device = device_id(session, "smoke-b2-hall")
    raise_ = RaiseAlert("smoke", device, site.site_id, None, "smoke", Severity.CRITICAL, "烟雾")
    clear = ClearAlert("smoke", device, None, "clear")
    for _ in range(20):  # 20 raise/clear cycles, 20 s apart: well inside the 10 min window
        with context.db.session() as session:
            apply_actions(session, [raise_], now=clock.now())
        clock.advance(timedelta(seconds=10))
        with context.db.session() as session:
            apply_actions(session, [clear], now=clock.now())
        clock.advance(timedelta(seconds=10))
    with context.db.session() as session:
        rows = keyed(session, raise_.dedup_key)
        assert len(rows) == FLAP_LIMIT + 1  # five ordinary alarms, then one flapping alarm
        assert [a.flapping for a in rows] == [False] * FLAP_LIMIT + [True]
        flapping = rows[-1]
        assert flapping.state is AlertState.ACTIVE_UNACKNOWLEDGED  # clears are only noted
        assert flapping.flap_count == 20
        assert alerts.alert_view(flapping)["flapping"] is True
    # quiet for less than a window: still active; a whole window: cleared, once
    with context.db.session() as session:
        assert alerts.settle_flapping(session, now=clock.now() + FLAP_WINDOW / 2) == []
    clock.advance(FLAP_WINDOW)
    with context.db.session() as session:
        assert len(alerts.settle_flapping(session, now=clock.now())) == 1
        assert alerts.settle_flapping(session, now=clock.now()) == []
        assert keyed(session, raise_.dedup_key)[-1].state is AlertState.CLEARED_UNACKNOWLEDGED


def test_slow_raise_and_clear_is_not_flapping(
    context: HubContext, clock: FakeClock, site: LoadResult
) -> None:
    with context.db.session() as session:
        device = device_id(session, "smoke-b2-hall")
    raise_ = RaiseAlert("smoke", device, site.site_id, None, "smoke", Severity.CRITICAL, "烟雾")
    for _ in range(8):  # one cycle every 4 min: never more than 5 in 10 min
        with context.db.session() as session:
            apply_actions(session, [raise_], now=clock.now())
            apply_actions(session, [ClearAlert("smoke", device, None, "ok")], now=clock.now())
        clock.advance(timedelta(minutes=4))
    with context.db.session() as session:
        rows = keyed(session, raise_.dedup_key)
        assert len(rows) == 8 and not any(a.flapping for a in rows)


def test_closing_the_work_order_while_the_alarm_holds_reraises(
    context: HubContext, clock: FakeClock, estate: LoadResult
) -> None:
    with context.db.session() as session:
        device = device_id(session, "leak-b1-101")
        home = session.scalar(select(Device.home_id).where(Device.id == device))
        apply_actions(session, leak(estate.site_id, device, home=home), now=clock.now())
    clock.advance(timedelta(minutes=40))
    with context.db.session() as session:
        tech = user(session, "tech")  # on duty (10:00 in Shanghai): assigned automatically
        first = session.scalars(select(WorkOrder)).one()
        assert first.status is WorkOrderStatus.ASSIGNED and first.assigned_to_id == tech.id
        work_orders.start(session, first.id, by=tech, now=clock.now())
        work_orders.complete(session, first.id, report="dried the floor", by=tech, now=clock.now())
    with context.db.session() as session:
        orders = list(session.scalars(select(WorkOrder).order_by(WorkOrder.id)))
        assert len(orders) == 2
        again = orders[1]
        assert again.reopened_from_id == orders[0].id
        assert again.status is WorkOrderStatus.SUBMITTED  # back to customer service to decide
        alarm = keyed(session, f"water-leak:{device}")[0]
        assert alarm.work_order_id == again.id and alarm.state.is_active
        owner = user(session, "owner101")
        work_orders.confirm(
            session, orders[0].id, attitude=5, quality=4, comment="ok", by=owner, now=clock.now()
        )
    with context.db.session() as session:  # confirming the old one opens nothing more
        assert session.scalar(select(func.count(WorkOrder.id))) == 2
        apply_actions(session, [ClearAlert("water-leak", device, None, "dry")], now=clock.now())
        tech, service = user(session, "tech"), user(session, "service")
        again_id = keyed(session, f"water-leak:{device}")[0].work_order_id
        assert again_id is not None
        work_orders.accept(session, again_id, by=service, now=clock.now())
        work_orders.assign(session, again_id, technician_id=tech.id, by=service, now=clock.now())
        work_orders.start(session, again_id, by=tech, now=clock.now())
        work_orders.complete(session, again_id, report="fixed pipe", by=tech, now=clock.now())
    with context.db.session() as session:  # the alarm has cleared: closing re-raises nothing
        assert session.scalar(select(func.count(WorkOrder.id))) == 2


def test_silent_gateway_is_one_incident_and_its_devices_recover_with_it(
    context: HubContext, clock: FakeClock, estate: LoadResult
) -> None:
    with context.db.session() as session:
        gateway = device_id(session, "gw-b2")
        t1, t2 = device_id(session, "temp-b2-1"), device_id(session, "temp-b2-2")
        other = device_id(session, "pump-1")  # not behind the gateway
        # T1 fell silent first (an ordinary offline alarm), then the gateway, then T2
        apply_actions(session, offline(estate.site_id, t1), now=clock.now())
        apply_actions(session, offline(estate.site_id, gateway), now=clock.now())
        applied = apply_actions(
            session, offline(estate.site_id, t2) + offline(estate.site_id, other), now=clock.now()
        )
        assert applied.alerts_suppressed == 1 and applied.work_orders_opened == 1  # pump only
    with context.db.session() as session:
        shown = list_alerts(session)
        titles = sorted(a.title for a in shown)
        assert titles == ["离线", "网关离线 Gateway offline: 2号楼网关 B2 gateway"]
        assert {a.device_id for a in shown} == {gateway, other}
        incident = next(a for a in shown if a.device_id == gateway)
        hidden = [a for a in list_alerts(session, EVERY) if a not in shown]
        assert {a.device_id for a in hidden} == {t1, t2}
        assert all(a.suppressed_by_id == incident.id and a.state.is_active for a in hidden)
        opened = {o.device_id for o in session.scalars(select(WorkOrder))}
        assert opened == {t1, gateway, other}  # T2's order was never opened
    clock.advance(timedelta(minutes=5))
    with context.db.session() as session:
        back = ClearAlert("device-offline", gateway, None, "back online")
        applied = apply_actions(session, [back], now=clock.now())
        assert applied.alerts_cleared == 3  # the incident and both devices, together
    with context.db.session() as session:
        states = {a.device_id: a.state for a in list_alerts(session, EVERY)}
        assert states[gateway] is states[t1] is states[t2] is AlertState.CLEARED_UNACKNOWLEDGED
        assert states[other].is_active


def test_rule_orders_go_to_the_technician_on_duty(
    context: HubContext, clock: FakeClock, estate: LoadResult
) -> None:
    with context.db.session() as session:
        b1, b2 = device_id(session, "leak-b1-102"), device_id(session, "smoke-b2-hall")
        pump = device_id(session, "pump-1")
        apply_actions(session, leak(estate.site_id, b1), now=clock.now())  # 10:00 Shanghai
        apply_actions(session, leak(estate.site_id, b2, rule="x"), now=clock.now())
    clock.advance(timedelta(hours=12))  # 22:00 Shanghai: the night shift, every building
    with context.db.session() as session:
        apply_actions(session, leak(estate.site_id, pump), now=clock.now())
        by_device = {o.device_id: o for o in session.scalars(select(WorkOrder))}
        assert by_device[b1].assigned_to_id == user(session, "tech").id
        assert by_device[b1].status is WorkOrderStatus.ASSIGNED
        assert by_device[b2].assigned_to_id is None  # B2 by day: nobody on duty
        assert by_device[b2].status is WorkOrderStatus.SUBMITTED
        assert by_device[pump].assigned_to_id == user(session, "tech2").id
        notes = [e.note for e in work_orders.history(session, by_device[b1])]
        assert notes[-1] == "按排班派给 tech assigned to tech (duty roster)"


def test_a_rule_order_names_the_equipment_its_device_reports_on(
    context: HubContext, clock: FakeClock, estate: LoadResult
) -> None:
    with context.db.session() as session:
        pump, sensor = device_id(session, "pump-1"), device_id(session, "leak-b1-102")
        apply_actions(session, leak(estate.site_id, pump), now=clock.now())
        apply_actions(session, leak(estate.site_id, sensor, rule="x"), now=clock.now())
        wp1 = session.scalar(select(Asset.id).where(Asset.code == "WP-1"))
        by_device = {o.device_id: o.asset_id for o in session.scalars(select(WorkOrder))}
        assert wp1 is not None and by_device == {pump: wp1, sensor: None}


_MOVES = {
    (AlertState.ACTIVE_UNACKNOWLEDGED, AlertState.ACTIVE_ACKNOWLEDGED),
    (AlertState.ACTIVE_UNACKNOWLEDGED, AlertState.CLEARED_UNACKNOWLEDGED),
    (AlertState.ACTIVE_ACKNOWLEDGED, AlertState.CLEARED_ACKNOWLEDGED),
    (AlertState.CLEARED_UNACKNOWLEDGED, AlertState.CLEARED_ACKNOWLEDGED),
}


def test_lifecycle_state_machine(context: HubContext, site: LoadResult) -> None:
    """Random raise / clear / acknowledge sequences over a few keys, time moving on: never two
    active alarms for a key, never a state change outside the transition table."""

    class Lifecycle(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.prefix = secrets.token_hex(4)
            self.clock = FakeClock(context.clock.now())
            self.seen: dict[int, AlertState] = {}

        def key(self, n: int) -> str:
            return f"{self.prefix}:{n}"

        @rule(n=st.integers(0, 2), gap=st.integers(0, 400))
        def raise_(self, n: int, gap: int) -> None:
            self.clock.advance(timedelta(seconds=gap))
            request = AlertRequest(
                site.site_id, "prop", self.key(n), Severity.MINOR, "t", "r", device_id=None
            )
            with context.db.session() as session:
                alerts.raise_alert(session, request, now=self.clock.now())

        @rule(n=st.integers(0, 2), gap=st.integers(0, 400))
        def clear(self, n: int, gap: int) -> None:
            self.clock.advance(timedelta(seconds=gap))
            with context.db.session() as session:
                alerts.clear(session, self.key(n), now=self.clock.now())

        @rule(n=st.integers(0, 2), newest=st.booleans())
        def acknowledge(self, n: int, newest: bool) -> None:
            with context.db.session() as session:
                rows = keyed(session, self.key(n))
                if not rows:
                    return
                target = rows[-1] if newest else rows[0]
                before = target.state
                by = user(session, "operator")
                try:
                    alerts.acknowledge(session, target.id, by=by, now=self.clock.now())
                except InvalidTransition:
                    assert before in (
                        AlertState.ACTIVE_ACKNOWLEDGED,
                        AlertState.CLEARED_ACKNOWLEDGED,
                    )

        @rule(gap=st.integers(0, 1200))
        def settle(self, gap: int) -> None:
            self.clock.advance(timedelta(seconds=gap))
            with context.db.session() as session:
                alerts.settle_flapping(session, now=self.clock.now())

        @invariant()
        def one_active_per_key_and_legal_moves(self) -> None:
            with context.db.session() as session:
                rows = list(
                    session.scalars(select(Alert).where(Alert.dedup_key.like(f"{self.prefix}:%")))
                )
            active = [a.dedup_key for a in rows if a.state.is_active]
            assert len(active) == len(set(active))
            for alert in rows:
                before = self.seen.get(alert.id, AlertState.ACTIVE_UNACKNOWLEDGED)
                assert before == alert.state or (before, alert.state) in _MOVES
                self.seen[alert.id] = alert.state

    run_state_machine_as_test(
        Lifecycle, settings=settings(max_examples=15, stateful_step_count=30, deadline=None)
    )
