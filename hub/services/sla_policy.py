"""The SLA policy file (rules/sla.yaml, HUB_SLA_FILE): limits per category and priority, business
hours with holidays, the escalation ladder and complaints' limits and routes
(`complaint_policy`), as data an administrator edits.

`parse` checks a text and lists every problem with a code the console translates; `current`
is the policy in force, re-read whenever the file changes (a bad file on disk keeps the last good
one, so a typo never stops the clocks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

import yaml
from pydantic import Field, ValidationError

from hub.config_files import field_path
from hub.domain import Priority, Role
from hub.errors import ConfigError
from hub.services.complaint_policy import ComplaintPolicy
from hub.services.sla_fields import ANY, Duration, SlaProblem, Strict
from hub.services.survey_policy import SurveyConfig, survey_problems
from hub.settings import get_settings


class ClockName(StrEnum):
    """The four clocks of a repair, in the order the work meets them."""

    ACCEPT = "accept"  # from submission
    CONTACT = "contact"  # from assignment: the technician contacts the owner
    ARRIVE = "arrive"  # from assignment
    COMPLETE = "complete"  # from acceptance


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        """Monday 0 ... Sunday 6, as `date.weekday()`."""
        return list(Weekday).index(self)


class BusinessHours(Strict):
    weekdays: list[Weekday] = Field(min_length=1)
    start: time = Field(alias="from")
    end: time = Field(alias="to")
    holidays: list[date] = Field(default_factory=list)


class Limits(Strict):
    accept: Duration
    contact: Duration
    arrive: Duration
    complete: Duration

    def of(self, clock: ClockName) -> timedelta:
        limit: timedelta = getattr(self, clock.value)
        return limit


class Policy(Strict):
    category: str = Field(default=ANY, min_length=1, max_length=64)
    priority: Priority | Literal["*"] = ANY
    limits: Limits
    business_hours: bool = False  # clocks run only in the file's business hours
    manager_after: Duration  # step 2 of the ladder, after the breach


class SlaFile(Strict):
    version: Literal[1]
    timezone: str = "Asia/Shanghai"
    business_hours: BusinessHours | None = None
    supervisors: list[Role] = Field(default=[Role.OPERATOR, Role.CUSTOMER_SERVICE], min_length=1)
    managers: list[Role] = Field(default=[Role.ADMIN], min_length=1)
    policies: list[Policy] = Field(min_length=1)
    complaints: ComplaintPolicy = ComplaintPolicy()  # limits and routes of complaints
    survey: SurveyConfig = SurveyConfig()  # 满意度回访: questions, reminder, closing

    def policy_for(self, category: str, priority: Priority) -> Policy:
        """The most specific policy: category and priority, category, priority, then `*`."""
        for wanted in ((category, priority), (category, ANY), (ANY, priority), (ANY, ANY)):
            for policy in self.policies:
                if (policy.category, policy.priority) == wanted:
                    return policy
        raise ConfigError("the SLA file has no `*` default policy", code="sla_no_default")

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def parse(text: str) -> tuple[SlaFile | None, list[SlaProblem]]:
    """The policy in `text`, or every problem found (each with its code)."""
    try:
        raw = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date like 2026-02-30
        return None, [SlaProblem(code="sla_yaml", where="(file)", message=str(exc))]
    try:
        spec = SlaFile.model_validate(raw)
    except ValidationError as exc:
        return None, [
            SlaProblem(
                code="sla_field",
                where=field_path(raw, tuple(error["loc"])),
                message=error["msg"].removeprefix("Value error, "),
            )
            for error in exc.errors()
        ]
    problems = _cross_checks(spec)
    return (None, problems) if problems else (spec, [])


def _cross_checks(spec: SlaFile) -> list[SlaProblem]:
    problems: list[SlaProblem] = []
    if spec.timezone not in _zones():
        problems.append(
            SlaProblem(code="sla_timezone", where="timezone", message=f"unknown {spec.timezone!r}")
        )
    hours = spec.business_hours
    if hours is not None and hours.start >= hours.end:
        problems.append(
            SlaProblem(
                code="sla_hours", where="business_hours", message="`from` must be before `to`"
            )
        )
    seen: set[tuple[str, str]] = set()
    for index, policy in enumerate(spec.policies):
        key = (policy.category, str(policy.priority))
        where = f"policies.{index}"
        if key in seen:
            message = f"a second policy for category {key[0]!r}, priority {key[1]!r}"
            problems.append(SlaProblem(code="sla_duplicate", where=where, message=message))
        seen.add(key)
        if policy.business_hours and hours is None:
            message = "business_hours: true, but the file defines no business_hours"
            problems.append(SlaProblem(code="sla_no_business_hours", where=where, message=message))
    if (ANY, ANY) not in seen:
        message = 'no default policy (category "*", priority "*")'
        problems.append(SlaProblem(code="sla_no_default", where="policies", message=message))
    return problems + spec.complaints.problems() + survey_problems(spec.survey)


@cache
def _zones() -> frozenset[str]:
    """The IANA zone names this machine knows (a name is looked up, never opened as a path)."""
    return frozenset(available_timezones())


def parse_or_raise(text: str, *, source: str) -> SlaFile:
    """The policy in `text`; `ConfigError` (`sla_invalid`) listing each problem otherwise."""
    spec, problems = parse(text)
    if spec is None:
        where = "; ".join(f"{p.where}: {p.message} ({p.code})" for p in problems)
        raise ConfigError(f"{source}: {where}", code="sla_invalid")
    return spec


@dataclass
class _Loaded:
    key: tuple[str, int, int]
    spec: SlaFile


_cache: dict[str, _Loaded] = {}


def load(path: Path) -> SlaFile:
    """The policy in the file at `path`, re-read when the file changes; a file that went bad
    keeps the last good policy."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    known = _cache.get(str(path))
    if known is not None and known.key == key:
        return known.spec
    try:
        spec = parse_or_raise(path.read_text(encoding="utf-8"), source=path.name)
    except ConfigError:
        if known is None:
            raise
        _cache[str(path)] = _Loaded(key, known.spec)  # not re-read until it changes again
        return known.spec
    _cache[str(path)] = _Loaded(key, spec)
    return spec


def current() -> SlaFile:
    """The policy in force: HUB_SLA_FILE (default rules/sla.yaml)."""
    return load(get_settings().sla_file)
