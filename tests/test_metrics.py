"""GET /metrics: counters move with real traffic; only admins and the scrape token read them."""

from __future__ import annotations

import asyncio
import re

import pytest

from hub.context import HubContext
from hub.services.site import LoadResult
from tests.conftest import ApiClient
from tests.support.worker import eventually, make_worker, publish, running

SITE = "green-garden"


def _value(text: str, name: str) -> float:
    found = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert found is not None, f"{name} missing from /metrics"
    return float(found.group(1))


async def test_a_scrape_shows_readings_dead_letters_rules_and_alerts_moving(
    api: ApiClient, context: HubContext, site: LoadResult, mqtt_url: str, topic_prefix: str
) -> None:
    def scrape() -> str:
        response = api.get("/metrics", as_user="admin")
        assert response.status_code == 200, response.text  # type: ignore[attr-defined]
        assert response.headers["content-type"].startswith("text/plain; version=0.0.4")  # type: ignore[attr-defined]
        return str(response.text)  # type: ignore[attr-defined]

    before = await asyncio.to_thread(scrape)
    names = ("readings", "dead_letters", "rule_evaluations", "alerts_raised", "batches")
    start = {n: _value(before, f"hub_{n}_total") for n in names}
    async with running(make_worker(context, mqtt_url, topic_prefix)):
        messages: list[tuple[str, str | bytes, bool]] = [
            (f"{topic_prefix}/{SITE}/leak-b1-101/telemetry", '{"water_leak": true}', False),
            (f"{topic_prefix}/{SITE}/pump-1/telemetry", '{"pressure_bar": 3.1}', False),
            (f"{topic_prefix}/{SITE}/pump-1/telemetry", b"not json", False),
        ]
        await asyncio.to_thread(publish, mqtt_url, messages)

        def moved() -> str | None:
            text = scrape()
            done = _value(text, "hub_rule_evaluations_total") - start["rule_evaluations"] >= 2
            return (
                text
                if done and _value(text, "hub_dead_letters_total") > start["dead_letters"]
                else None
            )

        # 30 s, not the usual 10: once on a loaded CI machine the counters had not moved in 10
        # (not reproduced in 14 runs since); a lost message still fails here.
        after = await eventually(moved, "the counters to move", within=30)
    assert _value(after, "hub_readings_total") - start["readings"] == 2
    assert _value(after, "hub_dead_letters_total") - start["dead_letters"] == 1
    assert _value(after, "hub_alerts_raised_total") - start["alerts_raised"] == 1
    assert _value(after, "hub_batches_total") > start["batches"]
    assert "hub_queue_messages " in after and 'hub_batch_seconds_bucket{le="+Inf"}' in after


def test_an_unauthenticated_or_non_admin_scrape_is_refused(api: ApiClient) -> None:
    assert api.client.get("/metrics").status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert api.client.get("/metrics", headers=bad).status_code == 401
    for role in ("operator", "guard", "owner101"):
        assert api.get("/metrics", as_user=role).status_code == 403  # type: ignore[attr-defined]


def test_the_metrics_token_lets_a_scraper_in_without_an_account(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, context: HubContext
) -> None:
    monkeypatch.setattr(context.settings, "metrics_token", "s3cret-scrape-token-for-tests")
    good = {"Authorization": "Bearer s3cret-scrape-token-for-tests"}
    response = api.client.get("/metrics", headers=good)
    assert response.status_code == 200 and "hub_messages_total" in response.text
    wrong = {"Authorization": "Bearer s3cret-scrape-token-for-testZ"}
    assert api.client.get("/metrics", headers=wrong).status_code == 401
