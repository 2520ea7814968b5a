"""Property tests: hysteresis, sliding windows and duration timers hold for any input."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from rules.actions import AnyAction, ClearAlert, RaiseAlert
from rules.engine import Engine
from tests.rules.helpers import PUMP, at, reading, ruleset, swipe

values = st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=60)


def _transitions(actions: list[AnyAction]) -> list[str]:
    """`raise` for a new alert, `clear` for a clear; repeats of an active alert are left out."""
    out = []
    for action in actions:
        if isinstance(action, RaiseAlert) and not action.repeat:
            out.append("raise")
        elif isinstance(action, ClearAlert):
            out.append("clear")
    return out


@given(values, st.integers(0, 100), st.integers(0, 100), st.booleans())
def test_hysteresis_raises_once_per_episode_and_clears_only_past_the_clear_level(
    sequence: list[int], limit: int, gap: int, high: bool
) -> None:
    if high:
        rule = {"above": limit, "clear_below": limit - gap}
    else:
        rule = {"below": limit, "clear_above": limit + gap}
    engine = Engine(ruleset({"id": "h", "kind": "threshold", "metric": "p", **rule}))
    history: list[str] = []
    for second, value in enumerate(sequence):
        events = _transitions(engine.observe(reading(PUMP, "p", value, second), at(second)))
        past_limit = value > limit if high else value < limit
        past_clear = value < limit - gap if high else value > limit + gap
        if "raise" in events:
            assert past_limit
            assert "raise" not in history or history[-1] == "clear"  # never twice in a row
        if "clear" in events:
            assert past_clear
        if past_limit and (not history or history[-1] == "clear"):
            assert events == ["raise"]  # a crossing is never missed
        history += events


@given(
    st.lists(st.integers(0, 10), min_size=1, max_size=40),
    st.integers(2, 5),
    st.integers(1, 30),
)
def test_a_sliding_window_fires_iff_count_occurrences_fall_within_it(
    gaps: list[int], count: int, window: int
) -> None:
    rule = {"id": "w", "kind": "repeating", "event": "swipe", "count": count, "window_s": window}
    engine = Engine(ruleset(rule))
    since_firing: list[int] = []  # occurrences counted since the last firing
    second = 0
    for gap in gaps:
        second += gap
        fired = _transitions(engine.observe(swipe(second, False), at(second))) == ["raise"]
        since_firing.append(second)
        in_window = [t for t in since_firing if second - window <= t]
        assert fired == (len(in_window) >= count)
        if fired:
            since_firing = []


@given(
    st.integers(1, 600),
    st.lists(st.integers(0, 1200), max_size=20),
    st.lists(st.integers(0, 1200), max_size=20),
    st.integers(1, 1200) | st.none(),
)
def test_duration_fires_once_on_time_if_it_holds_and_never_if_it_breaks(
    duration: int, reading_times: list[int], tick_times: list[int], break_at: int | None
) -> None:
    rule = {"id": "d", "kind": "duration", "metric": "p", "below": 5, "for_s": duration}
    engine = Engine(ruleset(rule))
    engine.observe(reading(PUMP, "p", 1, 0), at(0))  # the condition starts at 0
    end = 10_000 if break_at is None else break_at
    steps = [(t, 0, Decimal(0)) for t in [*tick_times, duration]]  # 0: a timer tick
    steps += [(t, 1, Decimal(1)) for t in reading_times if t < end]  # 1: holds
    if break_at is not None:
        steps.append((break_at, 1, Decimal(9)))  # breaks; it does not come back afterwards
    fired_at: list[int] = []
    for second, what, value in sorted(steps):
        if what == 0:
            actions = engine.tick(at(second))
        else:
            actions = engine.observe(reading(PUMP, "p", value, second), at(second))
        fired_at += [second] * _transitions(actions).count("raise")
    assert fired_at == ([] if end < duration else [duration])
