"""Each test here makes its own plans on the sample estate, without the estate's own."""

from __future__ import annotations

import pytest

from hub.context import HubContext
from hub.services.site import LoadResult
from tests.support.maintenance import without_sample_plans


@pytest.fixture(autouse=True)
def own_plans_only(context: HubContext, site: LoadResult) -> None:
    without_sample_plans(context)
