"""The sandbox provider's daily statement, a format of our own kept as plain as the real ones:
UTF-8 CSV, a title line naming the day, a header, one row per money movement (ISO times with
their offset), and a closing line counting the rows so a file cut short is refused.

    # Estate Hub sandbox statement 沙箱对账单,2026-11-10
    settled_at,transaction_id,out_trade_no,kind,amount,refund_no
    2026-11-10T10:00:00+08:00,SBX0123...,EH2026111000000142AB,payment,409.58,
    # rows,1
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, date, datetime

from adapters.payments.statement import (
    RowKind,
    Statement,
    StatementRow,
    StatementUnreadable,
    amount,
    cells,
    columns,
    decode,
    field,
)

TITLE = "# Estate Hub sandbox statement 沙箱对账单"
HEADER = ("settled_at", "transaction_id", "out_trade_no", "kind", "amount", "refund_no")
CLOSING = "# rows"


def write_statement(day: date, rows: Sequence[StatementRow]) -> bytes:
    """The statement of `day` holding `rows`, as the sandbox hands it out."""
    out = io.StringIO()
    out.write(f"{TITLE},{day.isoformat()}\r\n")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        at = row.at.isoformat()
        writer.writerow(
            [
                at,
                row.transaction_id,
                row.out_trade_no,
                row.kind.value,
                f"{row.amount:.2f}",
                row.refund_no,
            ]
        )
    out.write(f"{CLOSING},{len(rows)}\r\n")
    return out.getvalue().encode()


def parse_statement(data: bytes) -> Statement:
    """The rows of a sandbox statement; `StatementUnreadable` naming the line otherwise."""
    lines = decode(data, "utf-8", provider="sandbox")
    if not lines or not lines[0].startswith(TITLE + ","):
        raise StatementUnreadable(1, "not a sandbox statement: no title line")
    try:
        day = date.fromisoformat(lines[0].removeprefix(TITLE + ",").strip())
    except ValueError:
        raise StatementUnreadable(1, "the title does not name a day (YYYY-MM-DD)") from None
    if len(lines) < 2:
        raise StatementUnreadable(1, "no header")
    index = columns(cells(lines[1], 2), HEADER, 2)
    rows: list[StatementRow] = []
    for number, line in enumerate(lines[2:], start=3):
        if line.startswith(CLOSING + ","):
            stated = line.removeprefix(CLOSING + ",").strip()
            if stated != str(len(rows)):
                raise StatementUnreadable(number, f"says {stated} rows, the file has {len(rows)}")
            return Statement(day=day, rows=rows)
        rows.append(_row(cells(line, number), index, number))
    raise StatementUnreadable(len(lines), "no closing '# rows' line: the file is cut short")


def _row(row: list[str], index: dict[str, int], number: int) -> StatementRow:
    try:
        kind = RowKind(field(row, index, "kind", number))
        at = datetime.fromisoformat(field(row, index, "settled_at", number))
    except ValueError as exc:
        raise StatementUnreadable(number, f"unreadable kind or settled_at: {exc}") from None
    if at.tzinfo is None:
        raise StatementUnreadable(number, "settled_at has no UTC offset")
    value = amount(field(row, index, "amount", number), "amount", number)
    transaction = field(row, index, "transaction_id", number)
    if value <= 0 or not transaction:
        raise StatementUnreadable(number, "a row needs a transaction_id and a positive amount")
    return StatementRow(
        line=number,
        kind=kind,
        transaction_id=transaction,
        out_trade_no=field(row, index, "out_trade_no", number),
        amount=value,
        at=at.astimezone(UTC),
        refund_no=field(row, index, "refund_no", number),
    )
