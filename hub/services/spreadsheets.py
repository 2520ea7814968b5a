"""Tables as a spreadsheet, for every export: one CSV (UTF-8 with a BOM, so Excel reads
Chinese) with the tables one after another, or an .xlsx workbook with a sheet per table. Text
that a spreadsheet would run as a formula is quoted."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook

Cell = str | int | float | Decimal | None  # a Decimal is a number to Excel, exact in the CSV
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such text


def safe(cell: Cell) -> Cell:
    """Text as text: an owner's category like "=HYPERLINK(...)" gets a leading quote, so
    Excel shows it instead of running it (CSV and formula injection)."""
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def to_csv(tables: Sequence[Table]) -> bytes:
    """The tables one after another (title row, header, rows, blank line), UTF-8 with a BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for table in tables:
        writer.writerow([table.title])
        writer.writerow(table.header)
        writer.writerows([["" if v is None else safe(v) for v in row] for row in table.rows])
        writer.writerow([])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table, its header row frozen."""
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title))
        sheet.append(list(table.header))
        for row in table.rows:
            sheet.append([safe(v) for v in row])
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(title: str) -> str:
    """Excel allows 31 characters and no []:*?/\\ in a sheet's name."""
    return "".join(c for c in title if c not in "[]:*?/\\")[:31]
