"""The rules file: one pydantic model per rule kind; a file with any error is refused whole.

Format and examples: docs/rules.md.
"""

from __future__ import annotations

import string
from datetime import datetime, time
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from hub.domain import DeviceKind, Priority, Role, Severity

# Placeholders a title may use; plain names only, so a template cannot reach attributes.
TEMPLATE_FIELDS = ("rule", "device", "device_name", "location", "metric", "value", "event")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Seconds = Annotated[int, Field(gt=0, le=31 * 24 * 3600)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_template(text: str) -> str:
    """Refuse unknown or attribute/index placeholders, so rendering can never fail at run time."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(f"bad template {text!r}: {exc}") from None
    for _, name, _, _ in parts:
        if name is not None and name not in TEMPLATE_FIELDS:
            allowed = ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS)
            raise ValueError(f"unknown placeholder {{{name}}}; use one of {allowed}")
    return text


Template = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(check_template)]


class WorkOrderAction(_Strict):
    category: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_-]+$")
    priority: Priority = Priority.NORMAL
    title: Template


class AlertAction(_Strict):
    severity: Severity
    title: Template


class NotifyAction(_Strict):
    """A message to staff (by role or username) and/or the owners of the device's building."""

    title: Template
    body: Annotated[str, Field(max_length=1000), AfterValidator(check_template)] = ""
    roles: list[Role] = Field(default_factory=list)
    users: list[str] = Field(default_factory=list)
    building_owners: bool = False

    @model_validator(mode="after")
    def _someone(self) -> NotifyAction:
        if not (self.roles or self.users or self.building_owners):
            raise ValueError("give at least one of roles, users, building_owners")
        return self


class CommandAction(_Strict):
    """A command to the device that fired (close a valve, lock a gate), acknowledged in time."""

    command: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    params: dict[str, str | bool | int | float] = Field(default_factory=dict)
    timeout_s: int = Field(default=30, gt=0, le=3600)


class Actions(_Strict):
    work_order: WorkOrderAction | None = None
    alert: AlertAction | None = None
    notify: NotifyAction | None = None
    command: CommandAction | None = None

    @model_validator(mode="after")
    def _something(self) -> Actions:
        if all(getattr(self, name) is None for name in type(self).model_fields):
            raise ValueError("give at least one of work_order, alert, notify, command")
        return self


class Schedule(_Strict):
    """Active hours in the site's timezone; `start` after `end` spans midnight (22:00-06:00)."""

    start: time
    end: time
    days: list[Weekday] | None = Field(default=None, description="weekday the period starts on")

    @model_validator(mode="after")
    def _not_empty(self) -> Schedule:
        if self.start == self.end:
            raise ValueError("start and end must differ")
        return self

    def active_at(self, now: datetime, timezone: str) -> bool:
        local = now.astimezone(ZoneInfo(timezone))
        clock, day = local.time().replace(tzinfo=None), local.weekday()
        if self.start < self.end:
            inside = self.start <= clock < self.end
        elif clock >= self.start:
            inside = True
        elif clock < self.end:
            inside, day = True, (day - 1) % 7  # the morning half belongs to yesterday's period
        else:
            inside = False
        return inside and (self.days is None or WEEKDAYS[day] in self.days)


class _Rule(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    description: str = ""
    device_kind: DeviceKind | list[DeviceKind] | None = Field(
        default=None, description="one kind, a list of kinds, or omitted for every kind"
    )
    devices: list[str] | None = Field(default=None, description="only these device codes")
    buildings: list[str] | None = Field(default=None, description="only these building codes")
    locations: list[str] | None = Field(default=None, description="only these exact locations")
    schedule: Schedule | None = Field(default=None, description="fires only in these hours")
    actions: Actions

    @property
    def kinds(self) -> tuple[DeviceKind, ...]:
        if self.device_kind is None:
            return tuple(DeviceKind)
        if isinstance(self.device_kind, list):
            return tuple(self.device_kind)
        return (self.device_kind,)


class Condition(_Strict):
    """A metric compared with a limit: exactly one of above, below, equals."""

    metric: str = Field(min_length=1, max_length=64)
    above: Decimal | None = None
    below: Decimal | None = None
    equals: bool | None = None

    @model_validator(mode="after")
    def _one_condition(self) -> Condition:
        given = [n for n in ("above", "below", "equals") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of above, below, equals (got {given or 'none'})")
        return self


class ThresholdRule(_Rule, Condition):
    """A metric crossing a limit; the alert clears once the value is back past the clear limit."""

    kind: Literal["threshold"]
    clear_below: Decimal | None = Field(default=None, description="with `above`: hysteresis")
    clear_above: Decimal | None = Field(default=None, description="with `below`: hysteresis")

    @model_validator(mode="after")
    def _hysteresis(self) -> ThresholdRule:
        if self.clear_below is not None:
            if self.above is None:
                raise ValueError("clear_below goes with above")
            if self.clear_below > self.above:
                raise ValueError("clear_below must not exceed above")
        if self.clear_above is not None:
            if self.below is None:
                raise ValueError("clear_above goes with below")
            if self.clear_above < self.below:
                raise ValueError("clear_above must not be under below")
        return self


class DurationRule(_Rule, Condition):
    """The condition held for `for_s` seconds; fires on time by the timer, clears when it breaks."""

    kind: Literal["duration"]
    for_s: Seconds


class RepeatingRule(_Rule):
    """`count` occurrences (events, or readings meeting a condition) within `window_s`."""

    kind: Literal["repeating"]
    count: int = Field(ge=2, le=10_000)
    window_s: Seconds
    event: str | None = Field(default=None, min_length=1, max_length=64)
    where: dict[str, str | bool | int | float] = Field(default_factory=dict)
    condition: Condition | None = None

    @model_validator(mode="after")
    def _one_source(self) -> RepeatingRule:
        if (self.event is None) == (self.condition is None):
            raise ValueError("give exactly one of event, condition")
        if self.where and self.event is None:
            raise ValueError("where goes with event")
        return self


class RateRule(_Rule):
    """Change of a (cumulative) metric: a rise within a window, a steady rise, or a fall."""

    kind: Literal["rate"]
    metric: str = Field(min_length=1, max_length=64)
    rises_by: Decimal | None = Field(default=None, ge=0, description="more than this in window_s")
    window_s: Seconds | None = None
    rising_for_s: Seconds | None = Field(default=None, description="every reading higher, so long")
    falls_by: Decimal | None = Field(default=None, ge=0, description="below the previous by more")

    @model_validator(mode="after")
    def _one_mode(self) -> RateRule:
        given = [
            n for n in ("rises_by", "rising_for_s", "falls_by") if getattr(self, n) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of rises_by, rising_for_s, falls_by (got {given or 'none'})"
            )
        if (self.rises_by is None) != (self.window_s is None):
            raise ValueError("window_s goes with rises_by, and rises_by needs it")
        return self


class OfflineRule(_Rule):
    """Silent longer than heartbeat_s * factor (or timeout_s), or a reported `offline`."""

    kind: Literal["offline"]
    factor: float = Field(default=3.0, gt=0, le=1000)
    timeout_s: Seconds | None = Field(default=None, description="instead of heartbeat × factor")


class EventRule(_Rule):
    """An event of a kind (e.g. `swipe`) whose data has the given field values."""

    kind: Literal["event"]
    event: str = Field(min_length=1, max_length=64)
    where: dict[str, str | bool | int | float] = Field(default_factory=dict)


class KindCondition(Condition):
    device_kind: DeviceKind | None = None


class CompositeRule(_Rule):
    """AND (`all`) or OR (`any`) of conditions on the latest values of one location's devices."""

    kind: Literal["composite"]
    match: Literal["all", "any"] = "all"
    conditions: list[KindCondition] = Field(min_length=2, max_length=16)


Rule = Annotated[
    ThresholdRule
    | DurationRule
    | RepeatingRule
    | RateRule
    | OfflineRule
    | EventRule
    | CompositeRule,
    Field(discriminator="kind"),
]


class RuleFile(_Strict):
    rules: list[Rule]

    @model_validator(mode="after")
    def _unique_ids(self) -> RuleFile:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id!r}")
            seen.add(rule.id)
        return self
