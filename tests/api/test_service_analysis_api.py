"""GET /service-analysis and its exports against figures worked out by hand from the orders in
tests/support/analysis_orders.py (green-garden, submitted 2026-10-01 to 2026-12-01 Shanghai time,
the clock at 2026-11-10 02:00 UTC).

Rated orders (attitude, quality): O1 (5,4) O2 (4,3) O3 (3,3) O4 (5,5) O5 (2,1) O7 (4,4)
O8 (1,2) O9 (5,5); O6 and O10 are completed unrated, O11 and O12 not accepted yet.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import httpx2
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from hub.context import HubContext
from hub.services.site import LoadResult
from hub.storage.models import Survey, SurveyAnswer, SurveyState, User, WorkOrder
from tests.conftest import ApiClient
from tests.support.analysis_orders import seed_analysis_orders

URL = "/api/v1/service-analysis"
PERIOD = {"from": "2026-10-01", "to": "2026-12-01"}


def ok(response: object) -> httpx2.Response:
    assert isinstance(response, httpx2.Response)
    assert response.status_code == 200, response.text
    return response


@pytest.fixture
def ids(context: HubContext, site: LoadResult) -> dict[str, int]:
    return seed_analysis_orders(context)


def analysis(api: ApiClient, site: LoadResult, **params: object) -> Any:
    query = {**PERIOD, "estate_id": site.site_id, **params}
    return ok(api.get(URL, as_user="service", params=query)).json()


def ratings(avg_att: float, n_att: int, avg_q: float, n_q: int) -> dict[str, Any]:
    return {"attitude": (avg_att, n_att), "quality": (avg_q, n_q)}


def summary(group: dict[str, Any]) -> tuple[Any, ...]:
    r = group["ratings"]
    return (
        group["key"],
        group["orders"],
        r["rated"],
        r["attitude"]["average"],
        r["quality"]["average"],
    )


def test_ratings_overall_and_their_distributions(
    api: ApiClient, site: LoadResult, ids: dict[str, int]
) -> None:
    body = analysis(api, site)
    # O1..O12: 12 orders (the cancelled, the September and the Silver Court ones left out)
    # over 5 homes: 12 * 100 / 5 = 240 per 100 homes
    assert (body["orders"], body["homes"], body["orders_per_100_homes"]) == (12, 5, 240.0)
    # attitude 5+4+3+5+2+4+1+5 = 29 over 8: 3.625, half-up 3.63;
    # ones: O8; twos: O5; threes: O3; fours: O2 O7; fives: O1 O4 O9
    assert body["ratings"]["rated"] == 8
    assert body["ratings"]["attitude"] == {
        "count": 8,
        "average": 3.63,
        "distribution": [1, 1, 1, 2, 3],
    }
    # quality 4+3+3+5+1+4+2+5 = 27 over 8: 3.375, half-up 3.38;
    # ones: O5; twos: O8; threes: O2 O3; fours: O1 O7; fives: O4 O9
    assert body["ratings"]["quality"] == {
        "count": 8,
        "average": 3.38,
        "distribution": [1, 1, 2, 2, 2],
    }


def _surveyed(context: HubContext, ids: dict[str, int]) -> None:
    """Surveys for O1 (answered 2,2, timeliness 5, overall 3: over its confirmation's 5,4), O6
    (answered 4,5, timeliness 3, overall 4), O2 (expired), O9 and O10 (sent, unanswered)."""
    answered = {"O1": (2, 2, 5, 3), "O6": (4, 5, 3, 4)}
    states = {"O1": "answered", "O6": "answered", "O2": "expired", "O9": "sent", "O10": "sent"}
    with context.db.session() as session:
        owner = session.scalars(select(User).where(User.username == "owner101")).one()
        for name, state in states.items():
            survey = Survey(
                work_order_id=ids[name],
                owner_id=owner.id,
                state=SurveyState(state),
                token_hash=name.rjust(64, "0"),
                sent_at=context.clock.now(),
            )
            keys = ("attitude", "quality", "timeliness", "overall")
            survey.answers = [
                SurveyAnswer(question=key, score=score)
                for key, score in zip(keys, answered.get(name, ()), strict=False)
            ]
            session.add(survey)


def test_survey_answers_count_per_question_with_the_response_rate(
    api: ApiClient, site: LoadResult, ids: dict[str, int], context: HubContext
) -> None:
    _surveyed(context, ids)
    r = analysis(api, site)["ratings"]
    # attitude O1 2 (the survey's) O2 4 O3 3 O4 5 O5 2 O6 4 O7 4 O8 1 O9 5: 30/9 = 3.33
    assert r["rated"] == 9
    assert r["attitude"] == {"count": 9, "average": 3.33, "distribution": [1, 2, 1, 3, 2]}
    # quality O1 2 O2 3 O3 3 O4 5 O5 1 O6 5 O7 4 O8 2 O9 5: 30/9 = 3.33
    assert r["quality"] == {"count": 9, "average": 3.33, "distribution": [1, 2, 2, 1, 3]}
    questions = {q["key"]: q["score"] for q in r["questions"]}
    assert list(questions) == ["attitude", "quality", "timeliness", "overall"]
    assert questions["attitude"] == r["attitude"]
    # timeliness O1 5, O6 3: 4.0; overall O1 3, O6 4: 3.5
    assert questions["timeliness"] == {"count": 2, "average": 4.0, "distribution": [0, 0, 1, 0, 1]}
    assert questions["overall"] == {"count": 2, "average": 3.5, "distribution": [0, 0, 1, 1, 0]}
    # 5 sent, O1 and O6 answered: 40.0 %
    assert (r["surveys_sent"], r["surveys_answered"], r["response_pct"]) == (5, 2, 40.0)
    by_tech = {g["key"]: g["ratings"] for g in analysis(api, site)["by_technician"]}
    # tech: O1 (answered) O2 O9 -> 1 of 3 = 33.3 %; tech2: O6 (answered) O10 -> 1 of 2
    assert [(t["surveys_sent"], t["response_pct"]) for t in by_tech.values()] == [
        (3, 33.3),
        (2, 50.0),
    ]


def test_ratings_by_month_category_and_technician(
    api: ApiClient, site: LoadResult, ids: dict[str, int]
) -> None:
    body = analysis(api, site)
    assert [summary(g) for g in body["by_month"]] == [
        # October O1..O6, rated O1..O5: attitude 5+4+3+5+2 = 19/5 = 3.8, quality 4+3+3+5+1 = 16/5
        ("2026-10", 6, 5, 3.8, 3.2),
        # November O7..O12 (O7 at 10-31 17:00 UTC is 11-01 01:00 in Shanghai), rated O7 O8 O9:
        # attitude 4+1+5 = 10/3 = 3.333 -> 3.33, quality 4+2+5 = 11/3 = 3.667 -> 3.67
        ("2026-11", 6, 3, 3.33, 3.67),
    ]
    assert [summary(g) for g in body["by_category"]] == [
        # O3 O4 O6 O8 O9 O11 O12, rated O3 O4 O8 O9: attitude 3+5+1+5 = 14/4, quality 3+5+2+5 = 15/4
        ("electrical", 7, 4, 3.5, 3.75),
        # O1 O2 O5 O7 O10, rated O1 O2 O5 O7: attitude 5+4+2+4 = 15/4, quality 4+3+1+4 = 12/4
        ("plumbing", 5, 4, 3.75, 3.0),
    ]
    assert [summary(g) for g in body["by_technician"]] == [
        # O1 O2 O5 O7 O9, all rated: attitude 5+4+2+4+5 = 20/5, quality 4+3+1+4+5 = 17/5
        ("tech", 5, 5, 4.0, 3.4),
        # O3 O4 O6 O8 O10, rated O3 O4 O8: attitude 3+5+1 = 9/3, quality 3+5+2 = 10/3 = 3.33
        ("tech2", 5, 3, 3.0, 3.33),
    ]
    assert body["by_technician"][1]["label"] == "维修工二 Technician 2"


def test_problem_frequency_and_repeat_faults(
    api: ApiClient, site: LoadResult, ids: dict[str, int]
) -> None:
    body = analysis(api, site)
    # electrical 7 of 12 = 58.33 % -> 58.3; plumbing 5 of 12 = 41.67 % -> 41.7
    assert [(c["category"], c["orders"], c["share_pct"]) for c in body["top_categories"]] == [
        ("electrical", 7, 58.3),
        ("plumbing", 5, 41.7),
    ]
    # pump-1 electrical: O6 10-25, O8 11-03 (9 days); B1/101 plumbing: O1 10-02, O2 10-20
    # (18 days), O7 10-31 (11.6 days). B1/102 electrical O3 10-05 and O9 11-05 are 31 days
    # apart: no repeat. The cancelled B1/101 order and the September one are not counted.
    repeats = [
        (r["subject"], r["label"], r["category"], r["order_ids"]) for r in body["repeat_faults"]
    ]
    assert repeats == [
        ("device", "生活水泵 Domestic water pump (pump-1)", "electrical", [ids["O6"], ids["O8"]]),
        ("home", "B1/101", "plumbing", [ids["O1"], ids["O2"], ids["O7"]]),
    ]
    assert body["repeat_faults"][1]["first_at"] == "2026-10-02T02:00:00Z"


def test_exactly_30_days_apart_is_still_a_repeat(
    api: ApiClient, context: HubContext, site: LoadResult, ids: dict[str, int]
) -> None:
    with context.db.session() as session:
        o3, o9 = session.get(WorkOrder, ids["O3"]), session.get(WorkOrder, ids["O9"])
        assert o3 is not None and o9 is not None
        o9.created_at = o3.created_at + timedelta(days=30)  # 11-04 02:00, was 31 days
    repeats = [(r["label"], r["order_ids"]) for r in analysis(api, site)["repeat_faults"]]
    assert ("B1/102", [ids["O3"], ids["O9"]]) in repeats


def test_handling_time_per_step_and_acceptance_sla(
    api: ApiClient, site: LoadResult, ids: dict[str, int]
) -> None:
    body = analysis(api, site)
    steps = {s["step"]: (s["count"], s["p50_minutes"], s["p90_minutes"]) for s in body["steps"]}
    # nearest rank: p50 is the ceil(n/2)-th value, p90 the ceil(0.9 n)-th of the sorted sample
    assert steps == {
        # O1..O10 accepted: 5 10 10 15 20 25 30 35 40 50 -> 5th 20, 9th 40
        "accepted": (10, 20.0, 40.0),
        # 5 5 10 10 10 15 20 20 25 30 -> 5th 10, 9th 25
        "assigned": (10, 10.0, 25.0),
        # 20 20 25 30 30 35 40 45 50 60 -> 5th 30, 9th 50
        "arrived": (10, 30.0, 50.0),
        # 30 40 45 50 60 60 70 90 100 120 -> 5th 60, 9th 100
        "completed": (10, 60.0, 100.0),
        # the 8 confirmed: 30 60 60 90 120 120 180 240 -> 4th 90, ceil(7.2) = 8th 240
        "confirmed": (8, 90.0, 240.0),
        # step sums: O1 240 O2 220 O3 360 O4 220 O5 205 O7 315 O8 265 O9 195;
        # sorted 195 205 220 220 240 265 315 360 -> 4th 220, 8th 360
        "overall": (8, 220.0, 360.0),
    }
    # within 30 min: O1 O2 O4 O5 (exactly 30) O6 O7 O9 = 7; late: O3 40, O8 50, O10 35, and
    # O11 unaccepted 2 days later; O12 (15 min old) is pending: 7 of 11 = 63.6 %
    assert body["acceptance"] == {"judged": 11, "met": 7, "met_pct": 63.6, "pending": 1}


def test_period_filter_counts_only_its_orders(
    api: ApiClient, site: LoadResult, ids: dict[str, int]
) -> None:
    body = analysis(api, site, **{"from": "2026-11-01"})
    # O7..O12; rated O7 O8 O9: attitude 10/3, 5 homes: 6 * 100 / 5 = 120
    assert (body["orders"], body["ratings"]["rated"], body["orders_per_100_homes"]) == (6, 3, 120.0)
    assert body["ratings"]["attitude"]["average"] == 3.33
    # O7 alone on B1/101 and O8 alone on pump-1 inside November: no repeats
    assert body["repeat_faults"] == []
    # accepted O7 25 O8 50 O9 10 O10 35 -> 10 25 35 50: 2nd 25, 4th 50
    assert body["steps"][0] == {
        "step": "accepted",
        "count": 4,
        "p50_minutes": 25.0,
        "p90_minutes": 50.0,
    }


def test_every_month_of_the_period_is_in_the_trend_and_the_default_is_six_months(
    api: ApiClient, site: LoadResult, ids: dict[str, int]
) -> None:
    body = analysis(api, site, **{"from": "2026-08-01"})
    # August has no orders: it shows, with no averages; September has its one order (5, 5)
    assert [summary(g) for g in body["by_month"]][:2] == [
        ("2026-08", 0, 0, None, None),
        ("2026-09", 1, 1, 5.0, 5.0),
    ]
    assert [g["key"] for g in body["by_month"]][2:] == ["2026-10", "2026-11"]
    # the clock is in November 2026: June to November, the end the day after
    default = ok(api.get(URL, as_user="service")).json()
    assert (default["start"], default["end"]) == ("2026-06-01", "2026-12-01")
    assert [g["key"] for g in default["by_month"]] == [f"2026-{m:02d}" for m in range(6, 12)]


def test_estate_filter_and_all_estates(
    api: ApiClient, site: LoadResult, ids: dict[str, int]
) -> None:
    everything = ok(api.get(URL, as_user="admin", params=PERIOD)).json()
    # adds Silver Court's one order (rated 1, 1) and its 5 homes: 13 orders, 10 homes,
    # 13 * 100 / 10 = 130; attitude (29 + 1) / 9 = 3.33
    assert (everything["orders"], everything["homes"], everything["estate_id"]) == (13, 10, None)
    assert everything["orders_per_100_homes"] == 130.0
    assert everything["ratings"]["attitude"]["count"] == 9
    assert everything["ratings"]["attitude"]["average"] == 3.33
    assert [e["code"] for e in everything["estates"]] == ["green-garden", "silver-court"]
    other = next(e["id"] for e in everything["estates"] if e["code"] == "silver-court")
    silver = analysis(api, site, estate_id=other)
    assert (silver["orders"], silver["ratings"]["attitude"]["distribution"]) == (1, [1, 0, 0, 0, 0])


def test_csv_export_has_a_bom_and_the_same_figures(
    api: ApiClient, site: LoadResult, ids: dict[str, int]
) -> None:
    response = ok(
        api.get(
            f"{URL}/export.csv", as_user="service", params={**PERIOD, "estate_id": site.site_id}
        )
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    month = rows.index(["按月 By month"])
    assert rows[month + 1 : month + 4] == [
        [
            "月份 Month",
            "工单 Orders",
            "已评价 Rated",
            "态度平均 Attitude avg",
            "质量平均 Quality avg",
        ],
        ["2026-10", "6", "5", "3.8", "3.2"],
        ["2026-11", "6", "3", "3.33", "3.67"],
    ]
    assert ["受理及时率 Acceptance SLA met %", "63.6"] in rows
    assert ["服务态度 Attitude", "1", "1", "1", "2", "3", "8", "3.63"] in rows
    repeat = rows.index(["重复报修 Repeat faults"])
    # Shanghai times: O1 10-02 10:00, O7 11-01 01:00
    assert rows[repeat + 3][:7] == [
        "home",
        "green-garden",
        "B1/101",
        "plumbing",
        "3",
        "2026-10-02 10:00",
        "2026-11-01 01:00",
    ]


def test_xlsx_export_has_a_sheet_per_table(
    api: ApiClient, site: LoadResult, ids: dict[str, int]
) -> None:
    response = ok(api.get(f"{URL}/export.xlsx", as_user="admin", params=PERIOD))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["概览 Summary", "评分分布 Rating distribution", "按月 By month"]
    by_month = [list(row) for row in book["按月 By month"].iter_rows(values_only=True)]
    # all estates: Silver Court's October order (rated 1, 1) joins October: 7 orders, 6 rated,
    # attitude (19 + 1) / 6 = 3.33, quality (16 + 1) / 6 = 2.83
    assert by_month[1] == ["2026-10", 7, 6, 3.33, 2.83]


def test_exports_keep_an_owners_formula_like_category_as_text(
    api: ApiClient, context: HubContext, site: LoadResult, ids: dict[str, int]
) -> None:
    with context.db.session() as session:
        order = session.get(WorkOrder, ids["O10"])
        assert order is not None
        order.category = '=HYPERLINK("http://x.example","fix")'  # typed by an owner
    params = {**PERIOD, "estate_id": site.site_id}
    csv_body = ok(api.get(f"{URL}/export.csv", as_user="service", params=params)).content
    rows = list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig"))))
    assert ['\'=HYPERLINK("http://x.example","fix")', "1", "8.3"] in rows  # 1 of 12
    xlsx = ok(api.get(f"{URL}/export.xlsx", as_user="service", params=params)).content
    sheet = load_workbook(io.BytesIO(xlsx))["高频问题 Top categories"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells if "HYPERLINK" in str(c.value)] == [
        ('\'=HYPERLINK("http://x.example","fix")', "s")
    ]


def test_other_roles_are_refused_and_a_bad_period_is_explained(api: ApiClient) -> None:
    for username in ("owner101", "tech", "operator", "finance", "guard"):
        for path in (URL, f"{URL}/export.csv", f"{URL}/export.xlsx"):
            response = api.get(path, as_user=username)
            assert isinstance(response, httpx2.Response) and response.status_code == 403, path
    response = api.get(URL, as_user="admin", params={"from": "2026-11-01", "to": "2026-11-01"})
    assert isinstance(response, httpx2.Response) and response.status_code == 422
    assert response.json()["code"] == "analysis_period"
    # before 2000 no order exists (and year 1 in Shanghai is before the first UTC instant)
    response = api.get(URL, as_user="admin", params={"from": "0001-01-01", "to": "0001-02-01"})
    assert isinstance(response, httpx2.Response) and response.status_code == 422
