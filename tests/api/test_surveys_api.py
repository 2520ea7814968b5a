"""The satisfaction survey (满意度回访): sent by inbox and SMS when a repair is completed, answered
once in the app or by the SMS link, reminded once, closed after `close_after`; never read by
another owner or a role without business there."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

from hub.clock import FakeClock
from hub.context import HubContext
from hub.dispatcher import Dispatcher
from hub.services import outbox, surveys
from tests.api.conftest import Submit, assigned
from tests.conftest import ApiClient
from tests.support.sms import dispatch_sms, sent_sms

WO = "/api/v1/work-orders"
SV = "/api/v1/surveys"
FULL = {"attitude": 5, "quality": 4, "timeliness": 3, "overall": 4, "comment": "师傅很细心"}


def _completed(api: ApiClient, submit: Submit) -> int:
    order_id = assigned(api, submit)
    assert api.post(f"{WO}/{order_id}/start", as_user="tech").status_code == 200
    done = api.post(f"{WO}/{order_id}/complete", as_user="tech", data={"report": "换了垫圈"})
    assert done.status_code == 200, done.text
    return order_id


def _survey(api: ApiClient, owner: str = "owner101") -> dict[str, Any]:
    mine: Any = api.get(SV, as_user=owner).json()
    assert len(mine) == 1, mine
    survey: dict[str, Any] = mine[0]
    return survey


def _links(context: HubContext) -> list[str]:
    """The survey tokens in every SMS sent so far, oldest first."""
    dispatch_sms(context)
    return [m for sms in sent_sms(context) for m in re.findall(r"/s/([\w-]+)", sms.text)]


def _sweep(context: HubContext) -> surveys.Swept:
    with context.db.session() as session:
        return surveys.sweep(session, now=context.clock.now())


def test_a_completed_repair_sends_a_survey_by_inbox_and_sms(
    api: ApiClient, submit: Submit, context: HubContext
) -> None:
    order_id = _completed(api, submit)
    survey = _survey(api)
    assert (survey["work_order_id"], survey["state"], survey["answers"]) == (order_id, "sent", [])
    keys = [q["key"] for q in survey["questions"]]
    assert keys == ["attitude", "quality", "timeliness", "overall", "comment"]
    outbox.deliver_pending(context.db.session, now=context.clock.now())
    inbox: Any = api.get("/api/v1/notifications", as_user="owner101").json()
    assert [i["title"] for i in inbox] == [
        f"服务评价 Rate #{order_id} 厨房水龙头漏水 Kitchen tap leaks"
    ]
    assert f"/m/owner/surveys/{survey['id']}" in inbox[0]["body"]
    (token,) = _links(context)
    assert sent_sms(context)[0].phone == "13812345678"
    public = api.client.get(f"{SV}/by-token/{token}")
    assert public.status_code == 200, public.text
    assert public.json()["id"] == survey["id"]


def test_the_sms_link_answers_once_without_logging_in(
    api: ApiClient, submit: Submit, context: HubContext
) -> None:
    _completed(api, submit)
    (token,) = _links(context)
    answered = api.client.post(f"{SV}/by-token/{token}", json={"answers": FULL})
    assert answered.status_code == 200, answered.text
    assert answered.json()["state"] == "answered"
    scores = {a["question"]: a["score"] or a["text"] for a in answered.json()["answers"]}
    assert scores == FULL
    again = api.client.post(f"{SV}/by-token/{token}", json={"answers": FULL})
    assert (again.status_code, again.json()["code"]) == (409, "survey_answered")
    opened = api.client.get(f"{SV}/by-token/{token}")
    assert (opened.status_code, opened.json()["code"]) == (409, "survey_answered")
    in_app = api.post(
        f"{SV}/{_survey(api)['id']}/answers", as_user="owner101", json={"answers": FULL}
    )
    assert (in_app.status_code, in_app.json()["code"]) == (409, "survey_answered")
    assert api.client.get(f"{SV}/by-token/{'x' * 32}").status_code == 404


def test_answers_are_checked_against_the_configured_questions(
    api: ApiClient, submit: Submit
) -> None:
    _completed(api, submit)
    url = f"{SV}/{_survey(api)['id']}/answers"
    cases = [
        ({k: v for k, v in FULL.items() if k != "timeliness"}, "survey_answer_missing"),
        ({**FULL, "overall": 6}, "survey_score_range"),
        ({**FULL, "overall": 0}, "survey_score_range"),
        ({**FULL, "overall": "5"}, "survey_score_range"),
        ({**FULL, "price": 3}, "survey_unknown_question"),
    ]
    for answers, code in cases:
        bad = api.post(url, as_user="owner101", json={"answers": answers})
        assert (bad.status_code, bad.json()["code"]) == (422, code), answers
    no_comment = {k: v for k, v in FULL.items() if k != "comment"}
    ok = api.post(url, as_user="owner101", json={"answers": no_comment})
    assert ok.status_code == 200, ok.text
    assert [a["question"] for a in ok.json()["answers"]] == [
        "attitude",
        "quality",
        "timeliness",
        "overall",
    ]


def test_one_reminder_after_a_day_then_closed_after_a_week(
    api: ApiClient, submit: Submit, context: HubContext, clock: FakeClock
) -> None:
    _completed(api, submit)
    clock.advance(timedelta(hours=23, minutes=59))
    assert _sweep(context) == surveys.Swept(reminded=0, expired=0)
    clock.advance(timedelta(minutes=1))
    assert _sweep(context) == surveys.Swept(reminded=1, expired=0)
    clock.advance(timedelta(days=2))
    assert _sweep(context) == surveys.Swept(reminded=0, expired=0)  # one reminder only
    first, reminder = _links(context)
    assert sent_sms(context)[1].text.startswith("【物业】提醒：")
    assert api.client.get(f"{SV}/by-token/{first}").status_code == 200  # the first link still works
    assert _survey(api)["reminded_at"] is not None

    clock.advance(timedelta(days=3, hours=23, minutes=59))  # 6 days 23:59 after sending
    assert _sweep(context) == surveys.Swept(reminded=0, expired=0)
    clock.advance(timedelta(minutes=1))
    assert _sweep(context) == surveys.Swept(reminded=0, expired=1)
    assert _survey(api)["state"] == "expired"
    late = api.client.post(f"{SV}/by-token/{reminder}", json={"answers": FULL})
    assert (late.status_code, late.json()["code"]) == (409, "survey_expired")


def test_a_survey_past_its_time_is_closed_even_before_the_sweep(
    api: ApiClient, submit: Submit, clock: FakeClock
) -> None:
    _completed(api, submit)
    survey_id = _survey(api)["id"]
    clock.advance(timedelta(days=7))
    late = api.post(f"{SV}/{survey_id}/answers", as_user="owner101", json={"answers": FULL})
    assert (late.status_code, late.json()["code"]) == (409, "survey_expired")


def test_a_refused_repair_keeps_its_open_survey_and_gets_a_new_one_after_an_answer(
    api: ApiClient, submit: Submit
) -> None:
    order_id = _completed(api, submit)
    why = {"reason": "还在漏水"}

    def refuse_and_complete() -> None:
        assert api.post(f"{WO}/{order_id}/refuse", as_user="owner101", json=why).status_code == 200
        again = api.post(f"{WO}/{order_id}/complete", as_user="tech", data={"report": "换了阀芯"})
        assert again.status_code == 200, again.text

    refuse_and_complete()
    survey = _survey(api)  # still the one survey
    url = f"{SV}/{survey['id']}/answers"
    assert api.post(url, as_user="owner101", json={"answers": FULL}).status_code == 200
    refuse_and_complete()
    mine: Any = api.get(SV, as_user="owner101").json()
    assert [s["state"] for s in mine] == ["sent", "answered"]


def test_staff_follow_who_has_not_answered_and_others_are_refused(
    api: ApiClient, submit: Submit
) -> None:
    _completed(api, submit)
    survey_id = _survey(api)["id"]
    for role in ("service", "admin"):
        waiting: Any = api.get(SV, as_user=role, params={"state": "sent"}).json()
        assert [s["id"] for s in waiting] == [survey_id], role
        assert api.get(SV, as_user=role, params={"state": "answered"}).json() == []
        assert api.get(f"{SV}/{survey_id}", as_user=role).status_code == 200
    assert api.get(SV, as_user="owner102").json() == []
    assert api.get(f"{SV}/{survey_id}", as_user="owner102").status_code == 404
    other = api.post(f"{SV}/{survey_id}/answers", as_user="owner102", json={"answers": FULL})
    assert other.status_code == 404
    for role in ("tech", "operator", "guard", "finance"):
        assert api.get(SV, as_user=role).status_code == 403, role
    staff = api.post(f"{SV}/{survey_id}/answers", as_user="service", json={"answers": FULL})
    assert staff.status_code == 403


def test_the_dispatchers_timers_send_the_reminder(
    api: ApiClient, submit: Submit, context: HubContext, clock: FakeClock
) -> None:
    _completed(api, submit)
    dispatcher = Dispatcher(context, "mqtt://127.0.0.1:1")  # no commands: never connects
    asyncio.run(dispatcher.run_once())
    assert _survey(api)["reminded_at"] is None
    clock.advance(timedelta(days=1))
    asyncio.run(dispatcher.run_once())
    assert _survey(api)["reminded_at"] == clock.now().isoformat().replace("+00:00", "Z")
