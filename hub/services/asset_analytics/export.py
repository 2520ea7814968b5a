"""The analytics as tables for the CSV (hub/services/spreadsheets.py) and the PDF report: the
same figure columns for the estate, each class, month and asset."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from hub.domain import AssetClass
from hub.services import spreadsheets
from hub.services.asset_analytics.counters import StalledCounter
from hub.services.asset_analytics.figures import Analytics
from hub.services.asset_analytics.reliability import Figures
from hub.services.asset_import import CLASS_NAMES, STATUS_NAMES
from hub.services.spreadsheets import Cell, Table

FIGURE_HEADER = (
    "故障 Failures",
    "重复故障 Repeats",
    "计划运行 h Scheduled h",
    "停机 h Downtime h",
    "运行 h Operating h",
    "MTBF h",
    "MTTR h",
    "每千小时故障 Per 1,000 h",
    "每月故障 Per month",
    "可用率 % Availability %",
    "维修费用 ¥ Repair cost ¥",
    "保养应做 PM due",
    "保养按时 PM on time",
    "保养完成率 % PM compliance %",
)


def class_label(asset_class: AssetClass) -> str:
    return f"{CLASS_NAMES[asset_class]} {asset_class.value}"


def figure_cells(figures: Figures) -> tuple[Cell, ...]:
    """The figures in FIGURE_HEADER's order."""
    return (
        figures.failures,
        figures.repeat_failures,
        figures.scheduled_hours,
        figures.downtime_hours,
        figures.operating_hours,
        figures.mtbf_hours,
        figures.mttr_hours,
        figures.failures_per_1000_hours,
        figures.failures_per_month,
        figures.availability_pct,
        f"{figures.maintenance_cost:.2f}",
        figures.pm_due,
        figures.pm_on_time,
        figures.pm_compliance_pct,
    )


def stalled_table(found: Sequence[StalledCounter], zone: ZoneInfo) -> Table:
    def local(ts: datetime | None) -> str:
        return f"{ts.astimezone(zone):%Y-%m-%d %H:%M}" if ts else "从未 never"

    return Table(
        "计数停滞 Stalled counters",
        (
            "设施 Asset",
            "名称 Name",
            "设备 Device",
            "指标 Metric",
            "读数 Value",
            "最近上升 Last rise",
        ),
        [
            (
                s.asset_code,
                s.asset_name,
                s.device_code,
                s.metric,
                s.value_text,
                local(s.last_rise_at),
            )
            for s in found
        ],
    )


def tables(found: Analytics, stalled: Sequence[StalledCounter]) -> list[Table]:
    """Summary, by class, by month, the worst assets, every asset, the stalled counters."""
    period = f"{found.start:%Y-%m-%d} – {found.end:%Y-%m-%d} (不含 excl.)"
    return [
        Table(
            "概览 Summary",
            ("小区 Estate", "期间 Period", *FIGURE_HEADER),
            [(found.estate.name, period, *figure_cells(found.totals))],
        ),
        Table(
            "按类别 By class",
            ("类别 Class", "设施数 Assets", *FIGURE_HEADER),
            [
                (class_label(c.asset_class), c.assets, *figure_cells(c.figures))
                for c in found.by_class
            ],
        ),
        Table(
            "按月 By month",
            ("月份 Month", *FIGURE_HEADER),
            [(m.month, *figure_cells(m.figures)) for m in found.by_month],
        ),
        *(
            Table(
                title,
                ("编号 Code", "名称 Name", "类别 Class", "状态 Status", *FIGURE_HEADER),
                [
                    (
                        r.code,
                        r.name,
                        class_label(r.asset_class),
                        f"{STATUS_NAMES[r.status]} {r.status.value}",
                        *figure_cells(r.figures),
                    )
                    for r in rows
                ],
            )
            for title, rows in (
                ("最差设施 Worst assets", found.worst),
                ("设施 Assets", found.assets),
            )
        ),
        stalled_table(stalled, ZoneInfo(found.timezone)),
    ]


def to_csv(found: Analytics, stalled: Sequence[StalledCounter]) -> bytes:
    return spreadsheets.to_csv(tables(found, stalled))
