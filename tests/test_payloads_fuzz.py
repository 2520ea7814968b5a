"""The payload parser against hostile input: whatever the bytes, a storable message or a reason."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hub.payloads import Event, Parsed, Rejected, Telemetry, parse_message

P = "estate"
POISON = ("1e999999999999999999999", "99999999999999.9999999", '"\\ud800"')

# JSON numbers of any size, including exponents no Decimal context holds
_numbers = st.from_regex(r"\A-?(0|[1-9][0-9]{0,30})(\.[0-9]{1,12})?([eE][-+]?[0-9]{1,24})?\Z")
# JSON strings with escapes, lone surrogates among them
_strings = st.lists(
    st.sampled_from(["a", "中", "\\ud800", "\\udfff", "\\ud83d\\ude00", "\\u0000", '\\"', "\\n"]),
    max_size=6,
).map(lambda parts: '"' + "".join(parts) + '"')
_scalars = _numbers | _strings | st.sampled_from(["true", "false", "null", "NaN", "-Infinity"])


def _objects(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pairs = st.lists(st.tuples(_strings, values), max_size=3)
    return pairs.map(lambda items: "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}")


_json = st.recursive(
    _scalars,
    lambda inner: _objects(inner) | st.lists(inner, max_size=3).map(lambda v: f"[{', '.join(v)}]"),
    max_leaves=8,
)
_shapes = st.one_of(
    _json,
    _objects(_json),
    st.tuples(_numbers, _objects(_scalars)).map(lambda t: f'{{"ts": {t[0]}, "values": {t[1]}}}'),
    st.tuples(_strings, _objects(_scalars)).map(lambda t: f'{{"kind": {t[0]}, "data": {t[1]}}}'),
)


def _storable(text: str) -> None:
    text.encode("utf-8")  # a lone surrogate would fail the insert, and with it the batch
    assert "\x00" not in text


def _check(result: Parsed | Rejected) -> None:
    if isinstance(result, Rejected):
        assert result.reason and "broke the parser" not in result.reason
        _storable(result.reason)
        return
    body = result.body
    if isinstance(body, Telemetry):
        for value in body.values:
            _storable(value.metric)
            if value.number is not None:
                assert value.number.is_finite() and abs(value.number) < Decimal(10) ** 14
                assert int(value.number.as_tuple().exponent) >= -6  # the column's scale
            if value.text is not None:
                _storable(value.text)
    elif isinstance(body, Event):
        _storable(body.kind)
        _storable(json.dumps(body.data, ensure_ascii=False))


@settings(max_examples=150, deadline=None)
@given(raw=_shapes, channel=st.sampled_from(["telemetry", "event", "status"]))
@example(raw=POISON[0], channel="telemetry")
@example(raw=POISON[1], channel="telemetry")
@example(raw=POISON[2], channel="telemetry")
@example(raw=f'{{"energy_kwh": {POISON[0]}}}', channel="telemetry")
@example(raw=f'{{"energy_kwh": {POISON[1]}}}', channel="telemetry")
@example(raw=f'{{"mode": {POISON[2]}}}', channel="telemetry")
@example(raw=f'{{"ts": {POISON[0]}, "values": {{"t": 1}}}}', channel="telemetry")
@example(raw=f'{{"kind": {POISON[2]}, "data": {{"v": {POISON[1]}}}}}', channel="event")
@example(raw=f'{{"kind": "swipe", "data": {{{POISON[2]}: {POISON[0]}}}}}', channel="event")
@example(raw=f'{{"status": {POISON[2]}}}', channel="status")
def test_any_json_text_is_parsed_storable_or_rejected(raw: str, channel: str) -> None:
    _check(parse_message(P, f"{P}/s/d/{channel}", raw.encode()))


@settings(max_examples=100, deadline=None)
@given(payload=st.binary(max_size=200), topic=st.text(max_size=40))
def test_any_bytes_on_any_topic_are_parsed_storable_or_rejected(payload: bytes, topic: str) -> None:
    for name in (topic, f"{P}/s/d/telemetry", f"{P}/s/d/event", f"{P}/s/d/status"):
        _check(parse_message(P, name, payload))


def test_the_poison_seeds_are_rejected_with_their_reason() -> None:
    for value, reason in zip(
        POISON, ("out of range", "out of range", "lone surrogate"), strict=True
    ):
        result = parse_message(P, f"{P}/s/d/telemetry", f'{{"x": {value}}}'.encode())
        assert isinstance(result, Rejected) and reason in result.reason, result
