"""The analysis as tables for a spreadsheet (hub/services/spreadsheets.py writes the CSV and the
.xlsx). Both come from `tables`, so they always hold the same rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from hub.complaint_states import DEPARTMENT_NAMES, Department
from hub.services import spreadsheets
from hub.services.service_analysis.figures import Analysis, Group
from hub.services.spreadsheets import Cell, Table

_GROUP_HEADER = ("工单 Orders", "已评价 Rated", "态度平均 Attitude avg", "质量平均 Quality avg")


def _group_rows(groups: Sequence[Group]) -> list[tuple[Cell, ...]]:
    return [
        (g.label, g.orders, g.ratings.rated, g.ratings.attitude.average, g.ratings.quality.average)
        for g in groups
    ]


def _department(value: str) -> str:
    known = {d.value: DEPARTMENT_NAMES[d] for d in Department}
    return known.get(value, "未分派 unrouted")


def tables(analysis: Analysis) -> list[Table]:
    """Summary, distributions, the three groupings, top categories, step times, repeats, the
    repair clocks' SLA and the complaints by department."""
    zone = ZoneInfo(analysis.timezone)
    names = {estate.id: estate.name for estate in analysis.estates}
    estate = names.get(analysis.estate_id, "") if analysis.estate_id else "全部 All"
    ratings, sla, complaints = analysis.ratings, analysis.acceptance, analysis.complaints

    def local(ts: datetime) -> str:
        return f"{ts.astimezone(zone):%Y-%m-%d %H:%M}"

    return [
        Table(
            "概览 Summary",
            ("指标 Figure", "值 Value"),
            [
                (
                    "期间 Period",
                    f"{analysis.start:%Y-%m-%d} – {analysis.end:%Y-%m-%d} (不含 excl.)",
                ),
                ("小区 Estate", estate),
                ("工单 Orders", analysis.orders),
                ("户数 Homes", analysis.homes),
                ("每百户工单 Orders per 100 homes", analysis.orders_per_100_homes),
                ("已评价 Rated", ratings.rated),
                ("态度平均 Attitude avg", ratings.attitude.average),
                ("质量平均 Quality avg", ratings.quality.average),
                ("回访发出 Surveys sent", ratings.surveys_sent),
                ("回访已答 Surveys answered", ratings.surveys_answered),
                ("回访回复率 Survey response %", ratings.response_pct),
                ("受理及时 Accepted in time", sla.met),
                ("已判定 Judged", sla.judged),
                ("受理及时率 Acceptance SLA met %", sla.met_pct),
                ("投诉 Complaints", complaints.complaints),
                ("每百户投诉 Complaints per 100 homes", complaints.per_100_homes),
                ("投诉审核及时率 Complaint review met %", complaints.review.met_pct),
                ("投诉联系及时率 Complaint contact met %", complaints.contact.met_pct),
                ("投诉重开 Complaints reopened", complaints.reopened),
            ],
        ),
        Table(
            "评分分布 Rating distribution",
            ("问题 Question", "1", "2", "3", "4", "5", "人数 Count", "平均 Average"),
            [
                (f"{q.zh} {q.en}", *q.score.distribution, q.score.count, q.score.average)
                for q in ratings.questions
            ],
        ),
        Table("按月 By month", ("月份 Month", *_GROUP_HEADER), _group_rows(analysis.by_month)),
        Table(
            "按类别 By category",
            ("类别 Category", *_GROUP_HEADER),
            _group_rows(analysis.by_category),
        ),
        Table(
            "按维修工 By technician",
            ("维修工 Technician", *_GROUP_HEADER),
            _group_rows(analysis.by_technician),
        ),
        Table(
            "高频问题 Top categories",
            ("类别 Category", "工单 Orders", "占比 Share %"),
            [(c.category, c.orders, c.share_pct) for c in analysis.top_categories],
        ),
        Table(
            "处理时长 Handling time",
            ("环节 Step", "样本 Count", "p50 分钟 minutes", "p90 分钟 minutes"),
            [(s.step, s.count, s.p50_minutes, s.p90_minutes) for s in analysis.steps],
        ),
        Table(
            "维修时限 Repair SLA by clock",
            ("时钟 Clock", "已判定 Judged", "及时 Met", "及时率 Met %", "未到期 Pending"),
            [
                (c.clock, c.sla.judged, c.sla.met, c.sla.met_pct, c.sla.pending)
                for c in analysis.repair_clocks
            ],
        ),
        Table(
            "投诉按部门 Complaints by department",
            (
                "部门 Department",
                "投诉 Complaints",
                "审核及时率 Review met %",
                "联系及时率 Contact met %",
                "重开 Reopened",
                "满意度 Satisfaction",
                "评价数 Rated",
            ),
            [
                (
                    _department(d.department),
                    d.complaints,
                    d.review.met_pct,
                    d.contact.met_pct,
                    d.reopened,
                    d.satisfaction,
                    d.rated,
                )
                for d in complaints.by_department
            ],
        ),
        Table(
            "重复报修 Repeat faults",
            (
                "对象 Subject",
                "小区 Estate",
                "位置 Home or device",
                "类别 Category",
                "次数 Orders",
                "首次 First",
                "末次 Last",
                "工单号 Order ids",
            ),
            [
                (
                    r.subject,
                    r.estate,
                    r.label,
                    r.category,
                    r.orders,
                    local(r.first_at),
                    local(r.last_at),
                    " ".join(f"#{i}" for i in r.order_ids),
                )
                for r in analysis.repeat_faults
            ],
        ),
    ]


def to_csv(analysis: Analysis) -> bytes:
    return spreadsheets.to_csv(tables(analysis))


def to_xlsx(analysis: Analysis) -> bytes:
    return spreadsheets.to_xlsx(tables(analysis))
