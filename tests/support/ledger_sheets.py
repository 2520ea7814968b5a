"""Ledger spreadsheets built in the test, as an administrator's Excel would save them."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

ZH_HEADER = ("编号", "名称", "类别", "楼栋", "位置", "安装日期", "保修截止", "状态", "关联设备")
EN_HEADER = (
    "Code",
    "Name",
    "Class",
    "Building",
    "Location",
    "Install date",
    "Warranty end",
    "Status",
    "Devices",
)


def xlsx(rows: Sequence[Sequence[object]], header: Sequence[str] = ZH_HEADER) -> bytes:
    """A workbook whose first sheet holds `header` in row 1 and `rows` below it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
