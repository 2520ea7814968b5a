"""What the hub listens to: everything under its prefix but its own commands to devices."""

from __future__ import annotations

from adapters.mqtt.topics import Upstream


def test_the_hub_hears_every_topic_under_its_prefix_but_commands() -> None:
    upstream = Upstream("estate")
    assert upstream.filters() == ["estate/#"]
    for heard in (
        "estate/s/d/telemetry/x",
        "estate/s/d/x/telemetry",
        "estate/s",
        "estate/s/d/event",
    ):
        assert upstream.matches(heard), heard
    for not_ours in ("estate/s/d/command", "other/s/d/telemetry", "estatex/s/d/telemetry"):
        assert not upstream.matches(not_ours), not_ours
    assert upstream.matches("estate/s/d/command/x")  # not a command topic: a malformed one


def test_a_partition_hears_everything_under_its_own_sites() -> None:
    upstream = Upstream("estate", frozenset({"a", "b"}))
    assert upstream.filters() == ["estate/a/#", "estate/b/#"]
    assert upstream.matches("estate/a/d/telemetry/x") and upstream.matches("estate/b/d")
    assert not upstream.matches("estate/c/d/telemetry") and not upstream.matches("estate")
