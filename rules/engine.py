"""The rules engine: facts and a time in, actions out. Pure: no storage, no services, no clock.

`evaluate` judges what one message told about one device; `evaluate_silence` is the timer's
half, finding devices whose silence limit passed since the previous tick. Both return actions
for the hub to apply (hub/services/automation.py); the dedup keys make repeats harmless.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rules.actions import Action, ClearAlert, OpenWorkOrder, RaiseAlert
from rules.compile import Judgement, OfflineChecker, RuleSet
from rules.facts import DeviceInfo, Observation, Presence, StatusChange
from rules.model import TEMPLATE_FIELDS, Rule


def evaluate(rules: RuleSet, observation: Observation) -> list[Action]:
    """Actions for one message: presence first, then readings in time order, then events."""
    device = observation.device
    actions: list[Action] = []
    if observation.status is not None:
        actions += _presence(rules, device, observation.status)
    for reading in sorted(observation.readings, key=lambda r: r.ts):
        for threshold in rules.thresholds_for(device, reading.metric):
            judgement = threshold.judge(reading)
            if judgement is not None:
                value = reading.text if reading.value is None else str(reading.value)
                fields = {"metric": reading.metric, "value": value}
                actions += _act(threshold.rule, device, judgement, reading.id, fields)
    for event in observation.events:
        for checker in rules.events_for(device, event.kind):
            judgement = checker.judge(event)
            if judgement is not None:
                actions += _act(checker.rule, device, judgement, None, {"event": event.kind})
    return actions


def evaluate_silence(
    rules: RuleSet,
    presences: Iterable[Presence],
    *,
    watching_since: datetime,
    after: datetime,
    now: datetime,
) -> list[Action]:
    """Offline actions for devices whose silence limit fell in (`after`, `now`].

    Silence counts from the last message, but never from before `watching_since` (when the hub
    last connected to the broker): while the hub was not listening it heard nothing, which says
    nothing about the devices. Firing only on the crossing keeps a long outage to one firing.
    """
    actions: list[Action] = []
    for presence in presences:
        last = presence.last_seen
        heard = max(last, watching_since) if last is not None else watching_since
        for checker in rules.offline_for(presence.device):
            deadline = heard + checker.silence_limit(presence.device)
            if after < deadline <= now:
                reason = _silence_reason(checker, presence, heard, now)
                actions += _act(checker.rule, presence.device, Judgement(True, reason), None, {})
    return actions


def _presence(rules: RuleSet, device: DeviceInfo, status: StatusChange) -> list[Action]:
    if status.online and status.was_online is False:
        how = "status online" if status.reported else "messages arrive again"
        judgement = Judgement(False, f"back online ({how})")
    elif not status.online and status.was_online is not False:
        judgement = Judgement(True, "status offline (the device's last will, or it said so)")
    else:
        return []
    actions: list[Action] = []
    for checker in rules.offline_for(device):
        actions += _act(checker.rule, device, judgement, None, {})
    return actions


def _silence_reason(
    checker: OfflineChecker, presence: Presence, heard: datetime, now: datetime
) -> str:
    device = presence.device
    limit = checker.silence_limit(device)
    text = (
        f"no message for {int((now - heard).total_seconds())} s, limit {int(limit.total_seconds())}"
        f" s (heartbeat {device.heartbeat_s} s × {checker.rule.factor:g})"
    )
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
    fields: dict[str, str | None],
) -> list[Action]:
    """The rule's actions for a firing, or the clear of its alert when the condition is gone."""
    spec = rule.actions
    if not judgement.fire:
        if spec.alert is None:
            return []
        return [ClearAlert(rule.id, device.id, reading_id, judgement.reason)]
    values = dict.fromkeys(TEMPLATE_FIELDS, "")
    values.update(rule=rule.id, device=device.code, device_name=device.name)
    values.update(location=device.location)
    values.update({k: v or "" for k, v in fields.items()})
    actions: list[Action] = []
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
            )
        )
    return actions
