"""The rules engine: facts and a time in, actions out. Pure: no storage, no services, no clock.

`Engine` keeps each rule's state per device (or per location for composites): hysteresis
flags, duration timers, sliding windows, last values. That state is plain JSON (`snapshot`), so
the hub can store it with the actions and a restarted hub resumes where it stopped: a timer
started before the restart still fires on time, and nothing fires twice. `observe` judges one
message; `tick` runs the duration timers; `evaluate_silence` is the offline timer's half. The
hub applies the actions (hub/services/automation.py); their dedup keys make repeats harmless.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from rules.actions import AnyAction, ClearAlert, Notify, OpenWorkOrder, RaiseAlert, SendCommand
from rules.checkers import (
    Checker,
    CompositeChecker,
    DurationChecker,
    EventChecker,
    Judgement,
    OfflineChecker,
    RateChecker,
    RepeatingChecker,
    State,
    Step,
    ThresholdChecker,
    describe,
    device_from_state,
)
from rules.compile import OFFLINE, RuleSet, Topic, event, metric
from rules.facts import DeviceInfo, EventFact, Observation, Presence, ReadingFact, StatusChange
from rules.model import TEMPLATE_FIELDS, Rule

Snapshot = dict[str, dict[str, State]]  # rule id -> state key (device id, location) -> state
Changes = dict[tuple[str, str], State | None]  # None: the state was dropped


class Engine:
    """Stateful evaluation of one rule set; `snapshot()` and `Engine(rules, snapshot)` resume."""

    def __init__(
        self,
        rules: RuleSet,
        snapshot: Mapping[str, Mapping[str, State]] | None = None,
        *,
        indexed: bool = True,
    ) -> None:
        self._state: Snapshot = copy.deepcopy({k: dict(v) for k, v in (snapshot or {}).items()})
        self._changes: Changes = {}
        self._timers: dict[tuple[str, str], float] = {}
        self._indexed = indexed
        self._by_id: dict[str, Checker] = {}
        self.rules = rules
        self.use(rules)

    def use(self, rules: RuleSet) -> None:
        """Switch to new rules (a hot reload): state that still fits its rule's kind is kept."""
        self.rules = rules
        self._by_id = {checker.rule.id: checker for checker, _, _ in rules.checkers}
        for rule_id, states in list(self._state.items()):
            checker = self._by_id.get(rule_id)
            for key, state in list(states.items()):
                if checker is None or not checker.keeps(state):
                    self._put(rule_id, key, None)
            if not states:
                del self._state[rule_id]
        self._timers = {}
        for rule_id, states in self._state.items():
            checker = self._by_id[rule_id]
            if isinstance(checker, DurationChecker):
                for key, state in states.items():
                    self._track(checker, key, state)

    def snapshot(self) -> Snapshot:
        return copy.deepcopy(self._state)

    def take_changes(self) -> Changes:
        """States changed since the last call (for the hub to store), then forget them."""
        changes, self._changes = self._changes, {}
        return changes

    def next_due(self) -> float | None:
        """POSIX time of the earliest pending duration timer, if any."""
        return min(self._timers.values(), default=None)

    # ------------------------------------------------------------ facts

    def observe(self, observation: Observation, now: datetime) -> list[AnyAction]:
        """Actions for one message: presence first, then readings in time order, then events."""
        device = observation.device
        actions: list[AnyAction] = []
        if observation.status is not None:
            actions += _presence(self.rules, device, observation.status)
        for reading in sorted(observation.readings, key=lambda r: r.ts):
            for checker in self._find(device, metric(reading.metric)):
                step = self._reading_step(checker, device, reading, now)
                actions += self._apply(checker, device, step, reading.id, reading)
        for fact in observation.events:
            for checker in self._find(device, event(fact.kind)):
                actions += self._event(checker, device, fact, now)
        return actions

    def tick(self, now: datetime) -> list[AnyAction]:
        """Fire the duration timers that ran out by `now`, even if the device fell silent."""
        actions: list[AnyAction] = []
        due = [key for key, deadline in self._timers.items() if deadline <= now.timestamp()]
        for rule_id, key in sorted(due):
            checker = self._by_id[rule_id]
            state = self._state[rule_id][key]
            assert isinstance(checker, DurationChecker)
            device = device_from_state(state["device"])
            step = checker.due(state, device, now)
            actions += self._apply(checker, device, step, state.get("reading_id"), None, key)
        return actions

    # ------------------------------------------------------------ internals

    def _find(self, device: DeviceInfo, topic: Topic) -> tuple[Checker, ...]:
        return self.rules.find(device, topic) if self._indexed else self.rules.scan(device, topic)

    def _reading_step(
        self, checker: Checker, device: DeviceInfo, reading: ReadingFact, now: datetime
    ) -> Step:
        state = self._get(checker, device)
        if isinstance(checker, ThresholdChecker):
            return checker.step(state, reading, checker.active(device, now))
        if isinstance(checker, DurationChecker):
            return checker.step(state, device, reading, now)
        if isinstance(checker, RateChecker):
            return checker.step(state, reading, checker.active(device, now))
        if isinstance(checker, CompositeChecker):
            return checker.step(state, device, reading, checker.active(device, now))
        assert isinstance(checker, RepeatingChecker)
        if not checker.matches_reading(reading):
            return Step(state)
        assert reading.value is not None and checker.rule.condition is not None
        what = describe(checker.rule.condition, reading.value)
        return checker.step(state, reading.ts, what, checker.active(device, now))

    def _event(
        self, checker: Checker, device: DeviceInfo, fact: EventFact, now: datetime
    ) -> list[AnyAction]:
        if isinstance(checker, EventChecker):
            judgement = checker.judge(fact)
            if judgement is None or not checker.active(device, now):
                return []
            return _act(checker.rule, device, judgement, None, {"event": fact.kind})
        assert isinstance(checker, RepeatingChecker)
        if not checker.matches_event(fact):
            return []
        detail = "".join(f" {k}={v}" for k, v in checker.rule.where.items())
        ref = f" (latest event {fact.id})" if fact.id is not None else ""
        active = checker.active(device, now)
        step = checker.step(self._get(checker, device), fact.ts, fact.kind + detail, active)
        if step.judgement is not None:
            step = Step(step.state, Judgement(True, step.judgement.reason + ref))
        return self._apply(checker, device, step, None, None, fields={"event": fact.kind})

    def _get(self, checker: Checker, device: DeviceInfo) -> State | None:
        return self._state.get(checker.rule.id, {}).get(checker.state_key(device))

    def _apply(
        self,
        checker: Checker,
        device: DeviceInfo,
        step: Step,
        reading_id: int | None,
        reading: ReadingFact | None,
        key: str | None = None,
        fields: dict[str, str | None] | None = None,
    ) -> list[AnyAction]:
        key = checker.state_key(device) if key is None else key
        self._put(checker.rule.id, key, step.state)
        if step.judgement is None:
            return []
        if reading is not None:
            value = reading.text if reading.value is None else str(reading.value)
            fields = {"metric": reading.metric, "value": value}
        return _act(checker.rule, device, step.judgement, reading_id, fields or {})

    def _put(self, rule_id: str, key: str, state: State | None) -> None:
        states = self._state.setdefault(rule_id, {})
        if states.get(key) == state:
            return
        if state is None:
            states.pop(key, None)
        else:
            states[key] = state
        self._changes[(rule_id, key)] = state
        checker = self._by_id.get(rule_id)
        if isinstance(checker, DurationChecker):
            self._track(checker, key, state)

    def _track(self, checker: DurationChecker, key: str, state: State | None) -> None:
        timer = (checker.rule.id, key)
        if state is None or state.get("fired", True):
            self._timers.pop(timer, None)
        else:
            self._timers[timer] = checker.deadline(state)


def evaluate_silence(
    rules: RuleSet,
    presences: Iterable[Presence],
    *,
    watching_since: datetime,
    after: datetime,
    now: datetime,
) -> list[AnyAction]:
    """Offline actions for devices whose silence limit fell in (`after`, `now`].

    Silence counts from the last message, but never from before `watching_since` (when the hub
    last connected to the broker): while the hub was not listening it heard nothing, which says
    nothing about the devices. Firing only on the crossing keeps a long outage to one firing.
    """
    actions: list[AnyAction] = []
    for presence in presences:
        last = presence.last_seen
        heard = max(last, watching_since) if last is not None else watching_since
        for checker in rules.offline_for(presence.device):
            deadline = heard + checker.silence_limit(presence.device)
            if after < deadline <= now and checker.active(presence.device, now):
                reason = _silence_reason(checker, presence, heard, now)
                actions += _act(checker.rule, presence.device, Judgement(True, reason), None, {})
    return actions


def _presence(rules: RuleSet, device: DeviceInfo, status: StatusChange) -> list[AnyAction]:
    if status.online and status.was_online is False:
        how = "status online" if status.reported else "messages arrive again"
        judgement = Judgement(False, f"back online ({how})")
    elif not status.online and status.was_online is not False:
        judgement = Judgement(True, "status offline (the device's last will, or it said so)")
    else:
        return []
    actions: list[AnyAction] = []
    for checker in rules.find(device, OFFLINE):
        actions += _act(checker.rule, device, judgement, None, {})
    return actions


def _silence_reason(
    checker: OfflineChecker, presence: Presence, heard: datetime, now: datetime
) -> str:
    text = f"no message for {int((now - heard).total_seconds())} s, "
    text += checker.limit_text(presence.device)
    if presence.last_seen is None:
        return text + "; never heard from since the hub started listening"
    if presence.last_seen < heard:
        seen = f"{presence.last_seen:%Y-%m-%d %H:%M:%S} UTC"
        return text + f" since the hub started listening; last seen {seen}"
    return text


def _act(
    rule: Rule,
    device: DeviceInfo,
    judgement: Judgement,
    reading_id: int | None,
    fields: Mapping[str, Any],
) -> list[AnyAction]:
    """The rule's actions for a firing, or the clear of its alert when the condition is gone."""
    spec = rule.actions
    if not judgement.fire:
        if spec.alert is None:
            return []
        device_id = device.id if judgement.device_id is None else judgement.device_id
        return [ClearAlert(rule.id, device_id, reading_id, judgement.reason)]
    values = dict.fromkeys(TEMPLATE_FIELDS, "")
    values.update(rule=rule.id, device=device.code, device_name=device.name)
    values.update(location=device.location)
    values.update({k: v or "" for k, v in fields.items()})
    actions: list[AnyAction] = []
    if spec.work_order is not None:
        actions.append(
            OpenWorkOrder(
                rule_id=rule.id,
                device_id=device.id,
                site_id=device.site_id,
                reading_id=reading_id,
                reason=judgement.reason,
                category=spec.work_order.category,
                priority=spec.work_order.priority,
                title=spec.work_order.title.format_map(values)[:200],
                location=device.location,
                home_id=device.home_id,
                repeat=judgement.repeat,
            )
        )
    if spec.alert is not None:
        actions.append(
            RaiseAlert(
                rule_id=rule.id,
                device_id=device.id,
                site_id=device.site_id,
                reading_id=reading_id,
                reason=judgement.reason,
                severity=spec.alert.severity,
                title=spec.alert.title.format_map(values)[:200],
                location=device.location,
                repeat=judgement.repeat,
            )
        )
    if judgement.repeat:
        return actions  # people were told and the device commanded when it first fired
    if spec.notify is not None:
        actions.append(
            Notify(
                rule_id=rule.id,
                device_id=device.id,
                site_id=device.site_id,
                reason=judgement.reason,
                title=spec.notify.title.format_map(values)[:200],
                body=spec.notify.body.format_map(values),
                roles=tuple(spec.notify.roles),
                users=tuple(spec.notify.users),
                building_owners=(device.building or None) if spec.notify.building_owners else None,
            )
        )
    if spec.command is not None:
        actions.append(
            SendCommand(
                rule_id=rule.id,
                device_id=device.id,
                site_id=device.site_id,
                reason=judgement.reason,
                command=spec.command.command,
                params=tuple(spec.command.params.items()),
                timeout_s=spec.command.timeout_s,
            )
        )
    return actions
