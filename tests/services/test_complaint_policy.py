"""The SLA file's `complaints:` section: the seeds' routes and limits, a file's own, and the
problems a bad section reports (each with its code, like the repairs' policies)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hub.complaint_states import ComplaintKind, Department
from hub.services import sla_policy
from hub.settings import Settings

SEED = Path(Settings.model_fields["sla_file"].default).read_text(encoding="utf-8")
BASE = SEED[: SEED.index("\ncomplaints:") + 1]  # the repairs' part only


def _parsed(text: str) -> sla_policy.SlaFile:
    spec, problems = sla_policy.parse(text)
    assert spec is not None, problems
    return spec


def test_the_seed_file_and_a_file_without_the_section_route_alike() -> None:
    for spec in (_parsed(SEED), _parsed(BASE)):
        routes = spec.complaints
        assert routes.department_for(ComplaintKind.SANITATION, "垃圾没清") is Department.CLEANING
        assert (
            routes.department_for(ComplaintKind.SERVICE_COMPLAINT, "前台态度差")
            is Department.CUSTOMER_SERVICE
        )
        for kind in (ComplaintKind.SUGGESTION, ComplaintKind.PRAISE, ComplaintKind.OTHER):
            assert routes.department_for(kind, "多设几个快递柜") is Department.CUSTOMER_SERVICE
        assert (
            routes.department_for(ComplaintKind.SANITATION, "绿化带里的垃圾")
            is Department.LANDSCAPING
        )
        assert (
            routes.department_for(ComplaintKind.OTHER, "Night SECURITY patrol missed")
            is Department.SECURITY
        )
        limits = routes.limits_for(ComplaintKind.PRAISE)
        assert (limits.review_within, limits.contact_within) == (
            timedelta(hours=1),
            timedelta(hours=24),
        )


def test_a_file_routes_and_times_by_its_own_rules() -> None:
    text = BASE + (
        "complaints:\n"
        "  limits:\n"
        '    - {kind: "*", review: 2h, contact: 2d}\n'
        "    - {kind: sanitation, review: 30m, contact: 4h}\n"
        "  routes:\n"
        "    - {kind: sanitation, keyword: 电梯, department: maintenance}\n"
        "    - {kind: sanitation, department: customer_service}\n"
        '    - {kind: "*", department: security}\n'
    )
    routes = _parsed(text).complaints
    assert routes.department_for(ComplaintKind.SANITATION, "电梯里有垃圾") is Department.MAINTENANCE
    assert (
        routes.department_for(ComplaintKind.SANITATION, "楼道垃圾") is Department.CUSTOMER_SERVICE
    )
    assert routes.department_for(ComplaintKind.PRAISE, "绿化很好") is Department.SECURITY
    assert routes.limits_for(ComplaintKind.SANITATION).contact_within == timedelta(hours=4)
    assert routes.limits_for(ComplaintKind.OTHER).review_within == timedelta(hours=2)


def test_a_bad_section_lists_each_problem_with_its_code() -> None:
    text = BASE + (
        "complaints:\n"
        "  limits:\n"
        "    - {kind: praise, review: 2d, contact: 1d}\n"
        "    - {kind: praise, review: 1h, contact: 1d}\n"
        "  routes:\n"
        "    - {kind: sanitation, department: cleaning}\n"
    )
    spec, problems = sla_policy.parse(text)
    assert spec is None
    assert [(p.code, p.where) for p in problems] == [
        ("sla_complaint_order", "complaints.limits.0"),
        ("sla_complaint_duplicate", "complaints.limits.1"),
        ("sla_complaint_no_default", "complaints.limits"),
        ("sla_complaint_no_route", "complaints.routes"),
    ]
    _, unknown = sla_policy.parse(
        BASE + "complaints:\n  routes:\n    - {kind: noise, department: cleaning}\n"
    )
    assert unknown[0].code == "sla_field"
    assert unknown[0].where.startswith("complaints.routes.0.kind")
