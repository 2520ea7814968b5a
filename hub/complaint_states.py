"""Complaints and suggestions (投诉建议): their kinds, channels, departments and the one flow.

物业网络化制度 三2: recorded -> reviewed and classified (customer service, within 1 h) ->
a department assigned -> the owner contacted (within 24 h) -> handled -> the result confirmed
with the owner (closed), or reopened when the owner is unsatisfied and handled again. A
complaint outside the company's scope (municipal supply) is closed with a reason the owner sees.
Every move goes through the transition table; a skipped step raises.
"""

from __future__ import annotations

from enum import StrEnum

from hub.errors import InvalidTransition


class ComplaintChannel(StrEnum):
    APP = "app"  # the owner's phone page
    PHONE = "phone"  # phoned in; customer service records the call time
    WALK_IN = "walk_in"  # at the service desk


class ComplaintKind(StrEnum):
    SERVICE_COMPLAINT = "service_complaint"
    SANITATION = "sanitation"
    SUGGESTION = "suggestion"
    PRAISE = "praise"
    OTHER = "other"


class Department(StrEnum):
    MAINTENANCE = "maintenance"
    CLEANING = "cleaning"
    CUSTOMER_SERVICE = "customer_service"
    SECURITY = "security"
    LANDSCAPING = "landscaping"


DEPARTMENT_NAMES = {
    Department.MAINTENANCE: "维修部 maintenance",
    Department.CLEANING: "保洁部 cleaning",
    Department.CUSTOMER_SERVICE: "客服部 customer service",
    Department.SECURITY: "安保部 security",
    Department.LANDSCAPING: "绿化部 landscaping",
}


class ContactMethod(StrEnum):
    CALL = "call"
    VISIT = "visit"


CONTACT_NAMES = {ContactMethod.CALL: "电话 call", ContactMethod.VISIT: "上门 visit"}


class ComplaintStatus(StrEnum):
    RECORDED = "recorded"
    REVIEWED = "reviewed"
    ASSIGNED = "assigned"
    CONTACTED = "contacted"
    HANDLED = "handled"
    REOPENED = "reopened"  # the owner was not satisfied: handled again
    CLOSED = "closed"  # the owner confirmed the result
    OUT_OF_SCOPE = "out_of_scope"  # closed with a reason the owner sees


CLOSED_COMPLAINT_STATES = frozenset({ComplaintStatus.CLOSED, ComplaintStatus.OUT_OF_SCOPE})

COMPLAINT_TRANSITIONS: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    ComplaintStatus.RECORDED: frozenset({ComplaintStatus.REVIEWED, ComplaintStatus.OUT_OF_SCOPE}),
    ComplaintStatus.REVIEWED: frozenset({ComplaintStatus.ASSIGNED, ComplaintStatus.OUT_OF_SCOPE}),
    ComplaintStatus.ASSIGNED: frozenset({ComplaintStatus.CONTACTED}),
    ComplaintStatus.CONTACTED: frozenset({ComplaintStatus.HANDLED}),
    ComplaintStatus.HANDLED: frozenset({ComplaintStatus.CLOSED, ComplaintStatus.REOPENED}),
    ComplaintStatus.REOPENED: frozenset({ComplaintStatus.HANDLED}),
    ComplaintStatus.CLOSED: frozenset(),
    ComplaintStatus.OUT_OF_SCOPE: frozenset(),
}


def check_complaint_move(current: ComplaintStatus, target: ComplaintStatus) -> None:
    """Raise `InvalidTransition` (409, code complaint_out_of_order) unless the table allows it."""
    if target not in COMPLAINT_TRANSITIONS[current]:
        raise InvalidTransition(
            f"a complaint that is {current.value} cannot become {target.value}",
            code="complaint_out_of_order",
        )
