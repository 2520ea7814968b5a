"""Site files for tests: the sample estate's YAML changed as a test needs, with the sample's
plan images and asset documents (read and checked beside the sample file) kept."""

from __future__ import annotations

from typing import Any

import yaml

from hub.site_file import SAMPLE_SITE, SiteFile, parse_site_file


def sample_data() -> dict[str, Any]:
    data = yaml.safe_load(SAMPLE_SITE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def site_file_of(data: dict[str, Any]) -> SiteFile:
    spec = SiteFile.model_validate(data)
    sample = parse_site_file(SAMPLE_SITE)
    spec.plan_images.update(sample.plan_images)
    spec.asset_documents.update(sample.asset_documents)
    return spec
