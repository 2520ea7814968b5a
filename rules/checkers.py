"""One checker per rule kind: (its state, a fact, now) -> (new state, judgement or None).

Checkers only judge ("fire" or "clear", and why) and return their next state as plain JSON
data (numbers, strings, lists, dicts), so the engine can snapshot and restore it. Times in state
are POSIX seconds and values decimal strings. Turning a judgement into actions is the engine's.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar, NamedTuple

from hub.domain import DeviceKind
from rules.facts import DeviceInfo, EventFact, ReadingFact
from rules.model import (
    CompositeRule,
    Condition,
    DurationRule,
    EventRule,
    OfflineRule,
    RateRule,
    RepeatingRule,
    Rule,
    ThresholdRule,
)

State = dict[str, Any]


@dataclass(frozen=True)
class Judgement:
    fire: bool  # False: the condition is gone (clear)
    reason: str
    repeat: bool = False  # fires again while already firing (counts occurrences)
    device_id: int | None = None  # the device whose alert to clear, when not the reporting one


class Step(NamedTuple):
    state: State | None
    judgement: Judgement | None = None


def show(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _ref(reading: ReadingFact) -> str:
    return f" (reading {reading.id})" if reading.id is not None else ""


def _at(seconds: float) -> str:
    return f"{datetime.fromtimestamp(seconds, UTC):%Y-%m-%d %H:%M:%S} UTC"


def device_state(device: DeviceInfo) -> State:
    """The device as JSON, so a timer restored after a restart can still name it."""
    return {name: getattr(device, name) for name in _DEVICE_FIELDS}


_DEVICE_FIELDS = tuple(f.name for f in fields(DeviceInfo))


def device_from_state(data: State) -> DeviceInfo:
    return DeviceInfo(**{**data, "kind": DeviceKind(data["kind"])})


LOCATION_PREFIX = "location:"


def location_key(site_id: int, location: str) -> str:
    """The state key of a composite rule: one state per location of an estate, whatever device
    reports (two estates' "B1 pump room" are two places). hub/services/rule_state.py builds the
    same key in SQL."""
    return f"{LOCATION_PREFIX}{site_id}:{location}"


def holds(condition: Condition, value: Decimal) -> bool:
    if condition.equals is not None:
        return value == (1 if condition.equals else 0)
    if condition.above is not None:
        return value > condition.above
    assert condition.below is not None  # the model requires exactly one
    return value < condition.below


def describe(condition: Condition, value: Decimal | None = None) -> str:
    """`pressure_bar = 1.2 < 1.5`, or `smoke = true`; without a value, the condition alone."""
    if condition.equals is not None:
        if value is None:
            return f"{condition.metric} = {str(condition.equals).lower()}"
        shown = {Decimal(1): "true", Decimal(0): "false"}.get(value, show(value))
        return f"{condition.metric} = {shown}"
    head = condition.metric if value is None else f"{condition.metric} = {show(value)}"
    if condition.above is not None:
        return f"{head} > {show(condition.above)}"
    assert condition.below is not None
    return f"{head} < {show(condition.below)}"


@dataclass(frozen=True)
class Checker:
    rule: Rule
    order: int  # position in the file: actions come out in file order
    marker: ClassVar[str | None] = None  # a key every state of this kind has

    def keeps(self, state: State) -> bool:
        """Whether a stored state fits this kind (a reloaded file may change a rule's kind)."""
        return self.marker is not None and self.marker in state

    def applies_to(self, device: DeviceInfo) -> bool:
        rule = self.rule
        return (
            (rule.devices is None or device.code in rule.devices)
            and (rule.buildings is None or device.building in rule.buildings)
            and (rule.locations is None or device.location in rule.locations)
        )

    def active(self, device: DeviceInfo, now: datetime) -> bool:
        schedule = self.rule.schedule
        return schedule is None or schedule.active_at(now, device.timezone)

    def state_key(self, device: DeviceInfo) -> str:
        return str(device.id)


@dataclass(frozen=True)
class ThresholdChecker(Checker):
    rule: ThresholdRule
    marker: ClassVar[str | None] = "fired"

    def judge(self, reading: ReadingFact) -> Judgement | None:
        """Fire, clear, or None when the value is in the hysteresis band (or not a number)."""
        value, rule = reading.value, self.rule
        if value is None:
            return None
        if holds(rule, value):
            return Judgement(True, describe(rule, value) + _ref(reading))
        shown = f"{rule.metric} = {show(value)}"
        if rule.equals is not None:
            return Judgement(False, describe(rule, value) + _ref(reading))
        if rule.above is not None:
            if rule.clear_below is None:
                return Judgement(False, f"{shown} ≤ {show(rule.above)}{_ref(reading)}")
            if value < rule.clear_below:
                return Judgement(False, f"{shown} < {show(rule.clear_below)}{_ref(reading)}")
            return None
        assert rule.below is not None
        if rule.clear_above is None:
            return Judgement(False, f"{shown} ≥ {show(rule.below)}{_ref(reading)}")
        if value > rule.clear_above:
            return Judgement(False, f"{shown} > {show(rule.clear_above)}{_ref(reading)}")
        return None

    def step(self, state: State | None, reading: ReadingFact, active: bool) -> Step:
        """Raise on crossing, repeat while past the limit, clear once past the clear limit.

        No state yet (a fresh install) clears anyway: clearing a cleared alert is harmless.
        """
        fired = state.get("fired") if state is not None else None
        if fired is False and reading.value is not None and not holds(self.rule, reading.value):
            return Step(state)  # quiet and still quiet, most readings: no reason to word
        judgement = self.judge(reading)
        if judgement is None or (judgement.fire and not active):
            return Step(state)
        if judgement.fire:
            return Step({"fired": True}, Judgement(True, judgement.reason, repeat=fired is True))
        if fired is False:
            return Step(state)
        return Step({"fired": False}, judgement)


@dataclass(frozen=True)
class DurationChecker(Checker):
    rule: DurationRule
    marker: ClassVar[str | None] = "device"

    def step(
        self, state: State | None, device: DeviceInfo, reading: ReadingFact, now: datetime
    ) -> Step:
        """Start the timer when the condition begins; drop it (and clear) when it breaks."""
        if reading.value is None:
            return Step(state)
        if not holds(self.rule, reading.value):
            if state is not None and state.get("fired"):
                return Step(
                    None, Judgement(False, describe(self.rule, reading.value) + _ref(reading))
                )
            return Step(None)
        if state is not None:
            return self.due(state, device, now)
        started: State = {
            "since": reading.ts.timestamp(),
            "fired": False,
            "reason": describe(self.rule, reading.value),
            "reading_id": reading.id,
            "device": device_state(device),
        }
        return self.due(started, device, now)

    def deadline(self, state: State) -> float:
        return float(state["since"]) + self.rule.for_s

    def due(self, state: State, device: DeviceInfo, now: datetime) -> Step:
        """Fire once when the timer has run out (and the schedule allows)."""
        if state["fired"] or now.timestamp() < self.deadline(state):
            return Step(state)
        if not self.active(device, now):
            return Step(state)
        ref = f", reading {state['reading_id']}" if state.get("reading_id") is not None else ""
        reason = f"{state['reason']} for {self.rule.for_s} s (since {_at(state['since'])}{ref})"
        return Step({**state, "fired": True}, Judgement(True, reason))


@dataclass(frozen=True)
class RepeatingChecker(Checker):
    rule: RepeatingRule
    marker: ClassVar[str | None] = "times"

    def matches_event(self, event: EventFact) -> bool:
        return all(event.data.get(k) == v for k, v in self.rule.where.items())

    def matches_reading(self, reading: ReadingFact) -> bool:
        condition = self.rule.condition
        return (
            condition is not None and reading.value is not None and holds(condition, reading.value)
        )

    def step(self, state: State | None, at: datetime, what: str, active: bool) -> Step:
        """Count one occurrence; fire when `count` fall within `window_s`, then count afresh."""
        rule, ts = self.rule, at.timestamp()
        times = [t for t in (state or {}).get("times", []) if ts - rule.window_s <= t <= ts]
        times.append(ts)
        if len(times) < rule.count or not active:
            return Step({"times": times[-rule.count :]})
        span = int(ts - times[-rule.count])
        reason = f"{rule.count} × {what} within {span} s (limit {rule.window_s} s)"
        return Step({"times": []}, Judgement(True, reason))


@dataclass(frozen=True)
class RateChecker(Checker):
    rule: RateRule
    marker: ClassVar[str | None] = "ts"

    def step(self, state: State | None, reading: ReadingFact, active: bool) -> Step:
        value, ts = reading.value, reading.ts.timestamp()
        if value is None:
            return Step(state)
        state = state or {}
        last_ts = state.get("ts")
        if last_ts is not None and ts <= last_ts:
            return Step(state)  # old or repeated reading: the meter's history moves forward only
        last = Decimal(state["last"]) if "last" in state else None
        base: State = {"last": str(value), "ts": ts}
        rule, metric = self.rule, self.rule.metric
        if rule.falls_by is not None:
            if last is not None and value < last - rule.falls_by and active:
                reason = f"{metric} fell from {show(last)} to {show(value)}{_ref(reading)}"
                return Step(base, Judgement(True, reason))
            return Step(base)
        if rule.rising_for_s is not None:
            return self._rising(state, base, last, value, reading, active)
        return self._window(state, base, value, reading, active)

    def _rising(
        self,
        state: State,
        base: State,
        last: Decimal | None,
        value: Decimal,
        reading: ReadingFact,
        active: bool,
    ) -> Step:
        assert self.rule.rising_for_s is not None
        fired = bool(state.get("fired"))
        if last is None or value <= last:
            reason = f"{self.rule.metric} did not rise ({show(value)}){_ref(reading)}"
            return Step(base, Judgement(False, reason) if fired else None)
        since: float = state["since"] if "since" in state else state["ts"]
        out = {**base, "since": since, "fired": fired}
        if fired or base["ts"] - since < self.rule.rising_for_s or not active:
            return Step(out)
        reason = (
            f"{self.rule.metric} rose at every reading for {int(base['ts'] - since)} s "
            f"(since {_at(since)}), to {show(value)}{_ref(reading)}"
        )
        return Step({**out, "fired": True}, Judgement(True, reason))

    def _window(
        self, state: State, base: State, value: Decimal, reading: ReadingFact, active: bool
    ) -> Step:
        rule = self.rule
        assert rule.rises_by is not None and rule.window_s is not None
        ts = base["ts"]
        history = [h for h in state.get("history", []) if h[0] >= ts - rule.window_s]
        history.append([ts, str(value)])
        first_ts, first = history[0][0], Decimal(history[0][1])
        fired = bool(state.get("fired"))
        out = {**base, "history": history, "fired": fired}
        change = value - first
        if change > rule.rises_by and active:
            reason = (
                f"{rule.metric} rose by {show(change)} in {int(ts - first_ts)} s "
                f"(limit {show(rule.rises_by)} in {rule.window_s} s){_ref(reading)}"
            )
            return Step({**out, "fired": True}, Judgement(True, reason, repeat=fired))
        if fired and change <= rule.rises_by:
            reason = (
                f"{rule.metric} rose by {show(change)} in {int(ts - first_ts)} s{_ref(reading)}"
            )
            return Step({**out, "fired": False}, Judgement(False, reason))
        return Step(out)


@dataclass(frozen=True)
class CompositeChecker(Checker):
    """State per location: the latest truth of each condition on each device there."""

    rule: CompositeRule
    marker: ClassVar[str | None] = "truths"

    def state_key(self, device: DeviceInfo) -> str:
        return location_key(device.site_id, device.location)

    def step(
        self, state: State | None, device: DeviceInfo, reading: ReadingFact, active: bool
    ) -> Step:
        if reading.value is None:
            return Step(state)
        rule = self.rule
        truths: dict[str, dict[str, bool]] = {
            k: dict(v) for k, v in (state or {}).get("truths", {}).items()
        }
        for index, condition in enumerate(rule.conditions):
            kind_ok = condition.device_kind is None or condition.device_kind == device.kind
            if kind_ok and condition.metric == reading.metric:
                truths.setdefault(str(index), {})[str(device.id)] = holds(condition, reading.value)
        met = [any(truths.get(str(i), {}).values()) for i in range(len(rule.conditions))]
        now_true = all(met) if rule.match == "all" else any(met)
        fired_by = (state or {}).get("fired_by")
        out: State = {"truths": truths, "fired_by": fired_by}
        parts = [describe(c) for c, ok in zip(rule.conditions, met, strict=True) if ok]
        joiner = " and " if rule.match == "all" else " or "
        where = f" at {device.location or 'one location'}"
        if now_true and fired_by is None and active:
            reason = joiner.join(parts) + where + _ref(reading)
            return Step({**out, "fired_by": device.id}, Judgement(True, reason))
        if not now_true and fired_by is not None:
            reason = f"no longer {joiner.join(describe(c) for c in rule.conditions)}{where}"
            return Step({**out, "fired_by": None}, Judgement(False, reason, device_id=fired_by))
        return Step(out)


@dataclass(frozen=True)
class EventChecker(Checker):
    rule: EventRule

    def judge(self, event: EventFact) -> Judgement | None:
        """Fire when every `where` field equals the event's data; events never clear."""
        if any(event.data.get(k) != v for k, v in self.rule.where.items()):
            return None
        detail = " ".join(f"{k}={v}" for k, v in self.rule.where.items())
        ref = f" (event {event.id})" if event.id is not None else ""
        return Judgement(True, f"{event.kind}{' ' + detail if detail else ''}{ref}")


@dataclass(frozen=True)
class OfflineChecker(Checker):
    rule: OfflineRule

    def silence_limit(self, device: DeviceInfo) -> timedelta:
        return timedelta(seconds=self.limit_s(device.heartbeat_s))

    def limit_s(self, heartbeat_s: int) -> float:
        """Seconds of silence allowed a device with this heartbeat."""
        if self.rule.timeout_s is not None:
            return self.rule.timeout_s
        return heartbeat_s * self.rule.factor

    def limit_text(self, device: DeviceInfo) -> str:
        seconds = int(self.silence_limit(device).total_seconds())
        if self.rule.timeout_s is not None:
            return f"limit {seconds} s"
        return f"limit {seconds} s (heartbeat {device.heartbeat_s} s × {self.rule.factor:g})"
