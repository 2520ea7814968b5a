"""The sample estate plus an edge gateway with two devices behind it and a duty roster."""

from __future__ import annotations

from typing import Any

import pytest

from hub.context import HubContext
from hub.services.site import LoadResult, load_site
from hub.site_file import SiteFile
from tests.support.site_files import sample_data, site_file_of

GATEWAY_DEVICES: list[dict[str, Any]] = [
    {"code": "gw-b2", "kind": "gateway", "name": "2号楼网关 B2 gateway", "building": "B2"},
    {"code": "temp-b2-1", "kind": "temperature_sensor", "name": "温度 T1", "gateway": "gw-b2"},
    {"code": "temp-b2-2", "kind": "temperature_sensor", "name": "温度 T2", "gateway": "gw-b2"},
]
DUTY: list[dict[str, Any]] = [
    # Asia/Shanghai: day shift 08:00-20:00 for B1 plumbing, a night shift for every building
    {"username": "tech", "category": "plumbing", "building": "B1", "from": "08:00", "to": "20:00"},
    {"username": "tech2", "category": "plumbing", "from": "20:00", "to": "08:00"},
]


def extended_site() -> SiteFile:
    """The sample site file with the gateway, a night technician and the roster added; its plan
    images and asset documents are the sample's, read and checked."""
    data = sample_data()
    data["devices"] += GATEWAY_DEVICES
    data["staff"].append(
        {"username": "tech2", "full_name": "夜班维修 Night tech", "role": "technician"}
    )
    data["duty"] = DUTY
    return site_file_of(data)


@pytest.fixture
def estate(context: HubContext) -> LoadResult:
    with context.db.session() as session:
        return load_site(session, extended_site(), now=context.clock.now())
