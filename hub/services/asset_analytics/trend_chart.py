"""The monthly failure trend drawn for the PDF report (matplotlib, no GUI backend; the console
draws the same figures with ECharts): failures as bars, availability as a line."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from matplotlib import rc_context
from matplotlib.figure import Figure

from hub.services.asset_analytics.figures import MonthRow
from hub.services.billing.usage_chart import FONTS


def trend_png(months: Sequence[MonthRow]) -> bytes:
    labels = [m.month[2:] for m in months]
    with rc_context({"font.family": "sans-serif", "font.sans-serif": FONTS, "font.size": 8}):
        figure = Figure(figsize=(7.2, 2.4))
        bars = figure.add_subplot(1, 1, 1)
        bars.bar(labels, [m.figures.failures for m in months], color="#9cb9e8")
        bars.set_ylabel("故障 Failures")
        bars.tick_params(axis="x", labelrotation=60, labelsize=6)
        line = bars.twinx()
        line.plot(
            labels,
            [_or_gap(m.figures.availability_pct) for m in months],
            color="#1f6feb",
            marker="o",
            markersize=3,
        )
        line.set_ylabel("可用率 Availability %")
        bars.spines[["top"]].set_visible(False)
        line.spines[["top"]].set_visible(False)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=200)
    return out.getvalue()


def _or_gap(value: float | None) -> float:
    """No availability (nothing scheduled) is a gap in the line."""
    return math.nan if value is None else value
