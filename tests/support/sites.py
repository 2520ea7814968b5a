"""A second estate beside the sample one, for tests of work split between sites."""

from __future__ import annotations

from hub.context import HubContext
from hub.services.site import LoadResult, load_site
from hub.site_file import SAMPLE_SITE, SiteInfo, parse_site_file

OTHER_SITE = "silver-court"  # partition 1/2; the sample "green-garden" is 2/2
OTHER_LOCATION = "银庭 "  # prefix of the other site's locations, so no location is in both


def load_other_site(context: HubContext) -> LoadResult:
    """The sample estate copied as `silver-court`: same device codes, own locations, no accounts."""
    sample = parse_site_file(SAMPLE_SITE)
    buildings = [
        b.model_copy(update={"homes": [h.model_copy(update={"owners": []}) for h in b.homes]})
        for b in sample.buildings
    ]
    devices = [
        d.model_copy(update={"location": OTHER_LOCATION + d.location}) for d in sample.devices
    ]
    other = sample.model_copy(
        update={
            "site": SiteInfo(code=OTHER_SITE, name="银庭 Silver Court"),
            "buildings": buildings,
            "devices": devices,
            "staff": [],
            "duty": [],
        }
    )
    with context.db.session() as session:
        return load_site(session, other, now=context.clock.now())
