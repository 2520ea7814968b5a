"""The rules file: one pydantic model per rule kind; a file with any error is refused whole.

Format and examples: docs/rules.md.
"""

from __future__ import annotations

import string
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from hub.domain import DeviceKind, Priority, Severity

# Placeholders a title may use; plain names only, so a template cannot reach attributes.
TEMPLATE_FIELDS = ("rule", "device", "device_name", "location", "metric", "value", "event")


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


class Actions(_Strict):
    work_order: WorkOrderAction | None = None
    alert: AlertAction | None = None

    @model_validator(mode="after")
    def _something(self) -> Actions:
        if self.work_order is None and self.alert is None:
            raise ValueError("give at least one of work_order, alert")
        return self


class _Rule(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    description: str = ""
    device_kind: DeviceKind | list[DeviceKind] | None = Field(
        default=None, description="one kind, a list of kinds, or omitted for every kind"
    )
    devices: list[str] | None = Field(default=None, description="only these device codes")
    actions: Actions

    @property
    def kinds(self) -> tuple[DeviceKind, ...]:
        if self.device_kind is None:
            return tuple(DeviceKind)
        if isinstance(self.device_kind, list):
            return tuple(self.device_kind)
        return (self.device_kind,)


class ThresholdRule(_Rule):
    """A metric crossing a limit; the alert clears once the value is back past the clear limit."""

    kind: Literal["threshold"]
    metric: str = Field(min_length=1, max_length=64)
    above: Decimal | None = None
    below: Decimal | None = None
    equals: bool | None = None
    clear_below: Decimal | None = Field(default=None, description="with `above`: hysteresis")
    clear_above: Decimal | None = Field(default=None, description="with `below`: hysteresis")

    @model_validator(mode="after")
    def _one_condition(self) -> ThresholdRule:
        given = [n for n in ("above", "below", "equals") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of above, below, equals (got {given or 'none'})")
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


class OfflineRule(_Rule):
    """Silent longer than heartbeat_s * factor, or a reported `offline` (the last will)."""

    kind: Literal["offline"]
    factor: float = Field(default=3.0, gt=0, le=1000)


class EventRule(_Rule):
    """An event of a kind (e.g. `swipe`) whose data has the given field values."""

    kind: Literal["event"]
    event: str = Field(min_length=1, max_length=64)
    where: dict[str, str | bool | int | float] = Field(default_factory=dict)


Rule = Annotated[ThresholdRule | OfflineRule | EventRule, Field(discriminator="kind")]


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
