"""The `complaints:` section of the SLA file: the review and contact limits per kind, and the
routes that suggest the department a new complaint goes to (issue 12, 物业网络化制度 三2).

Without the section the seeds' defaults apply: reviewed within 1 h and the owner contacted
within 24 h of recording; sanitation to cleaning, everything else to customer service, and a
complaint about landscaping or security to that department.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field

from hub.complaint_states import ComplaintKind, Department
from hub.services.complaint_limits import ComplaintLimits
from hub.services.sla_fields import ANY, Duration, SlaProblem, Strict

KindOrAny = ComplaintKind | Literal["*"]


class ComplaintLimitRule(Strict):
    kind: KindOrAny = ANY
    review: Duration  # from recording: customer service reviews and classifies
    contact: Duration  # from recording: the department contacts the owner


class ComplaintRoute(Strict):
    """Complaints of `kind` (and, with `keyword`, whose category or description names it) go
    to `department`."""

    kind: KindOrAny = ANY
    keyword: str | None = Field(default=None, min_length=1, max_length=64)
    department: Department


DEFAULT_RULES = (
    ComplaintLimitRule(kind=ANY, review=timedelta(hours=1), contact=timedelta(hours=24)),
)
DEFAULT_ROUTES = (
    ComplaintRoute(keyword="绿化", department=Department.LANDSCAPING),
    ComplaintRoute(keyword="landscaping", department=Department.LANDSCAPING),
    ComplaintRoute(keyword="安保", department=Department.SECURITY),
    ComplaintRoute(keyword="security", department=Department.SECURITY),
    ComplaintRoute(kind=ComplaintKind.SANITATION, department=Department.CLEANING),
    ComplaintRoute(department=Department.CUSTOMER_SERVICE),
)


class ComplaintPolicy(Strict):
    limits: list[ComplaintLimitRule] = Field(default=list(DEFAULT_RULES), min_length=1)
    routes: list[ComplaintRoute] = Field(default=list(DEFAULT_ROUTES), min_length=1)

    def limits_for(self, kind: ComplaintKind) -> ComplaintLimits:
        """The kind's own limits, else the `*` ones."""
        for wanted in (kind, ANY):
            for rule in self.limits:
                if rule.kind == wanted:
                    return ComplaintLimits(review_within=rule.review, contact_within=rule.contact)
        return ComplaintLimits()  # the cross-checks refuse a file without `*`

    def department_for(self, kind: ComplaintKind, text: str) -> Department:
        """The most specific route: kind and keyword, keyword, kind, then `*`; within one level
        the first in the file. A keyword matches anywhere in `text`, ignoring case."""
        lowered = text.casefold()
        levels = ((kind, True), (ANY, True), (kind, False), (ANY, False))
        for wanted, keyed in levels:
            for route in self.routes:
                if route.kind != wanted or (route.keyword is not None) != keyed:
                    continue
                if route.keyword is None or route.keyword.casefold() in lowered:
                    return route.department
        return Department.CUSTOMER_SERVICE  # the cross-checks refuse a file without `*`

    def problems(self) -> list[SlaProblem]:
        """A second rule for one kind, a review limit after the contact limit, and no `*`
        rule or route to fall back on."""
        found: list[SlaProblem] = []
        seen: set[str] = set()
        for index, rule in enumerate(self.limits):
            where = f"complaints.limits.{index}"
            if rule.kind in seen:
                message = f"a second limit for kind {rule.kind!r}"
                found.append(SlaProblem("sla_complaint_duplicate", where, message))
            seen.add(rule.kind)
            if rule.review > rule.contact:
                message = "review must not come after contact"
                found.append(SlaProblem("sla_complaint_order", where, message))
        if ANY not in seen:
            message = 'no default limit (kind "*")'
            found.append(SlaProblem("sla_complaint_no_default", "complaints.limits", message))
        if not any(r.kind == ANY and r.keyword is None for r in self.routes):
            message = 'no default route (kind "*", no keyword)'
            found.append(SlaProblem("sla_complaint_no_route", "complaints.routes", message))
        return found
