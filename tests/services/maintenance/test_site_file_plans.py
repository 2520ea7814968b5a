"""The site file's `maintenance_plans`: the sample estate's plans load by code, loading again
changes nothing, and a plan naming an unknown asset (or both an asset and a class) is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from hub.context import HubContext
from hub.domain import AssetClass, CalendarUnit, MaintenanceTrigger, UsageCounter
from hub.services.maintenance import plans
from hub.services.site import LoadResult, load_site
from hub.site_file import SAMPLE_SITE, SiteFile, parse_site_file
from hub.storage.models import AuditEntry
from tests.support.maintenance import asset_id


def _load(context: HubContext) -> None:
    with context.db.session() as session:
        load_site(session, parse_site_file(SAMPLE_SITE), now=context.clock.now())


def test_the_sample_estates_plans_load_once(context: HubContext, site: LoadResult) -> None:
    _load(context)
    with context.db.session() as session:
        found = {p.code: p for p in plans.list_plans(session, site_id=site.site_id)}
        assert sorted(found) == ["EL-15D", "FAP-M", "FAP-Y", "WP-500H"]
        elevators, pump = found["EL-15D"], found["WP-500H"]
        assert (elevators.asset_class, elevators.every, elevators.unit) == (
            AssetClass.ELEVATOR,
            15,
            CalendarUnit.DAY,
        )
        assert plans.checklist_of(elevators)[1].max == Decimal("0.7")
        assert (pump.trigger, pump.counter, pump.metric, pump.usage_every) == (
            MaintenanceTrigger.USAGE,
            UsageCounter.RUNNING_HOURS,
            "running",
            Decimal(500),
        )
        assert pump.asset_id == asset_id(context, site, "WP-1")
        assert found["FAP-Y"].every == 12
        ids = {code: p.id for code, p in found.items()}
        audits = len(session.scalars(select(AuditEntry)).all())
    _load(context)
    with context.db.session() as session:
        again = {p.code: p.id for p in plans.list_plans(session, site_id=site.site_id)}
        assert again == ids
        assert len(session.scalars(select(AuditEntry)).all()) == audits


BASE = {"every": 1, "unit": "day", "anchor": "2026-01-01", "category": "c"}


@pytest.mark.parametrize(
    ("plan", "problem"),
    [
        ({"asset": "NOPE"}, "maintenance_plans.P.asset: no asset 'NOPE'"),
        ({"asset": "EL-1", "asset_class": "elevator"}, "name one asset or one asset_class"),
        ({}, "name one asset or one asset_class"),
    ],
)
def test_a_plan_must_name_one_known_asset_or_a_class(plan: dict[str, str], problem: str) -> None:
    spec = {
        "site": {"code": "x", "name": "x"},
        "assets": [{"code": "EL-1", "name": "e", "class": "elevator"}],
        "maintenance_plans": [{"code": "P", "name": "P", **BASE, **plan}],
    }
    with pytest.raises(ValidationError, match=problem):
        SiteFile.model_validate(spec)
