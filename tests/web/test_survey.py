"""The owner answers the satisfaction survey from the SMS link on the phone, without logging in;
the link then says it is answered. Screenshot: docs/screenshots/owner/survey-sms.png."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from hub.context import HubContext
from hub.services import outbox
from tests.conftest import ApiClient
from tests.support.sms import dispatch_sms, sent_sms
from tests.web.conftest import DESKTOP, PHONE, OpenAs, shot
from tests.web.test_repair_decision import _done, _requested

pytestmark = pytest.mark.browser


def test_an_owner_answers_the_survey_from_the_sms_link(
    new_tab: Callable[[tuple[int, int]], Page], api: ApiClient, context: HubContext
) -> None:
    _done(api, _requested(api))
    dispatch_sms(context)
    (token,) = [t for sms in sent_sms(context) for t in re.findall(r"s/([\w-]+)", sms.text)]
    page = new_tab(PHONE)
    page.goto(f"/s/{token}")
    form = page.locator("[data-test=survey-form]")
    expect(form).to_contain_text("卫生间漏水 Bathroom leak")
    submit = form.locator("[data-test=survey-submit]")
    for key, stars in (("attitude", 5), ("quality", 4), ("timeliness", 4)):
        form.locator(f"[data-test=rate-{key}] .van-rate__item").nth(stars - 1).click()
    expect(submit).to_be_disabled()  # overall is still unanswered
    form.locator("[data-test=rate-overall] .van-rate__item").nth(4).click()
    form.locator("[data-test=text-comment] textarea").fill("师傅很准时 On time")
    shot(page, "owner/survey-sms.png")
    submit.click()
    expect(page.locator("[data-test=survey-answered]")).to_contain_text("感谢您的评价")

    staff = api.get("/api/v1/surveys", as_user="service").json()  # type: ignore[attr-defined]
    answers = {a["question"]: a["score"] or a["text"] for a in staff[0]["answers"]}
    assert answers == {
        "attitude": 5,
        "quality": 4,
        "timeliness": 4,
        "overall": 5,
        "comment": "师傅很准时 On time",
    }
    page.reload()
    expect(page.locator("[data-test=survey-answered]")).to_be_visible()


def test_the_desk_sees_who_has_not_answered(open_as: OpenAs, api: ApiClient) -> None:
    _done(api, _requested(api))
    page = open_as("admin", "/console/surveys", DESKTOP)  # the api client is service
    table = page.locator("[data-test=surveys]")
    expect(table).to_contain_text("卫生间漏水 Bathroom leak")
    expect(table).to_contain_text("未回答")
    page.locator("[data-test=survey-state]").get_by_text("已回答").click()
    expect(table).to_contain_text("没有回访")


def test_an_owner_answers_in_the_app_from_the_inbox(
    open_as: OpenAs, api: ApiClient, context: HubContext
) -> None:
    order_id = _requested(api)
    _done(api, order_id)
    outbox.deliver_pending(context.db.session, now=context.clock.now())
    page = open_as("owner101", f"/m/owner/repairs/{order_id}", PHONE)
    expect(page.locator("[data-test=survey-link]")).to_be_visible()
    page.goto("/m/owner/me")
    page.locator("[data-test=message]").first.click()
    page.locator("[data-test=message-link]").click()
    form = page.locator("[data-test=survey-form]")
    for key in ("attitude", "quality", "timeliness", "overall"):
        form.locator(f"[data-test=rate-{key}] .van-rate__item").nth(2).click()
    form.locator("[data-test=survey-submit]").click()
    expect(page.locator("[data-test=survey-answered]")).to_contain_text("感谢您的评价")
    page.goto(f"/m/owner/repairs/{order_id}")
    expect(page.locator("[data-test=repair-status]")).to_be_visible()
    expect(page.locator("[data-test=survey-link]")).to_have_count(0)  # answered: no more link
