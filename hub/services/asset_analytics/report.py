"""The monthly equipment report (设备月报) as a PDF: the month's figures by class, the worst
assets, the stalled counters, and the 12-month trend ending with the month."""

from __future__ import annotations

from base64 import b64encode
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from hub.services.asset_analytics import counters
from hub.services.asset_analytics.export import tables
from hub.services.asset_analytics.figures import analyse
from hub.services.asset_analytics.trend_chart import trend_png
from hub.services.billing.documents import render_pdf
from hub.services.billing.periods import Period, parse_period
from hub.services.billing.usage_chart import last_months
from hub.services.spreadsheets import Table
from hub.storage.models import Site

REPORTED = ("概览 Summary", "按类别 By class", "最差设施 Worst assets", "计数停滞 Stalled counters")
STYLE = """
@page { size: A4 landscape; }
h2 { font-size: 11pt; margin: 5mm 0 1.5mm; }
td, th { font-size: 8pt; }
td:first-child { white-space: nowrap; }
.chart { width: 190mm; }
"""


def report_pdf(session: Session, *, site: Site, month: Period, now: datetime) -> bytes:
    first, after = (day.date() for day in month.bounds(site.timezone))
    found = analyse(session, estate_id=site.id, start=first, end=after, now=now)
    earliest = parse_period(last_months(month.text)[0])
    start = date(earliest.year, earliest.month, 1)
    trend = analyse(session, estate_id=site.id, start=start, end=after, now=now)
    stalled = counters.stalled(session, site=site, now=now)
    shown = {t.title: t for t in tables(found, stalled)}
    made, days = now.astimezone(ZoneInfo(site.timezone)), counters.DEFAULT_DAYS
    chart = b64encode(trend_png(trend.by_month)).decode()
    body = f"""
<h1>设备月报 Equipment report {escape(month.text)}</h1>
<div class="meta">{escape(site.name)} · 生成 Made {made:%Y-%m-%d %H:%M} ·
计数停滞为生成前 {days} 天 Stalled counters: the {days} days before</div>
{"".join(_table(shown[title]) for title in REPORTED[:2])}
<h2>近 12 个月 The last 12 months</h2>
<img class="chart" alt="failures and availability by month" src="data:image/png;base64,{chart}">
{"".join(_table(shown[title]) for title in REPORTED[2:])}
<div class="foot">定义见 docs/maintenance.md：故障为关联设施且未取消的工单；停机为维修区间之并集。
Definitions: docs/maintenance.md.</div>
"""
    return render_pdf(f"Equipment report {month.text} {site.name}", body, style=STYLE)


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.header)
    rows = (
        "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in table.rows)
        or f'<tr><td colspan="{len(table.header)}">无 None</td></tr>'
    )
    return f"<h2>{escape(table.title)}</h2><table><tr>{head}</tr>{rows}</table>"


def _cell(value: object) -> str:
    if value is None:
        return '<td class="num">–</td>'
    if isinstance(value, int | float):
        return f'<td class="num">{value}</td>'
    return f"<td>{escape(str(value))}</td>"
