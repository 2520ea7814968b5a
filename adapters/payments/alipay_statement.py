"""Alipay's trade details (业务明细) as downloaded: a GBK-encoded CSV with '#' comment lines
before the table (the title 支付宝业务明细查询, the account, 起始日期 / 终止日期) and after it
(交易合计 N笔, 退款合计 M笔, the export time). Cells often end in a tab.

A 交易 row is a payment of 订单金额（元）; a 退款 row, with the same 支付宝交易号 and its
退款批次号/请求号, gives back the negative amount it shows. Times are Beijing time. The footer's
counts must agree with the rows, so a file cut short is refused.
"""

from __future__ import annotations

import re
from datetime import date

from adapters.payments.statement import (
    RowKind,
    Statement,
    StatementRow,
    StatementUnreadable,
    amount,
    beijing_time,
    cells,
    columns,
    decode,
    field,
    required,
)

TITLE = "#支付宝业务明细查询"
TRANSACTION = "支付宝交易号"
TRADE = "商户订单号"
TYPE = "业务类型"
FINISHED = "完成时间"
TOTAL = "订单金额（元）"
REFUND_NO = "退款批次号/请求号"
COLUMNS = (TRANSACTION, TRADE, TYPE, FINISHED, TOTAL, REFUND_NO)
KINDS = {"交易": RowKind.PAYMENT, "退款": RowKind.REFUND}
START = re.compile(r"起始日期：\[(\d{4})年(\d{2})月(\d{2})日")
FOOTER = {
    RowKind.PAYMENT: re.compile(r"#交易合计：(\d+)笔"),
    RowKind.REFUND: re.compile(r"#退款合计：(\d+)笔"),
}


def parse_trade_details(data: bytes) -> Statement:
    """The rows of an Alipay 业务明细 file; `StatementUnreadable` naming the line otherwise."""
    lines = decode(data, "gbk", provider="Alipay")
    if not lines or not lines[0].startswith(TITLE):
        raise StatementUnreadable(1, f"not an Alipay trade details file: no {TITLE} title")
    day: date | None = None
    rows: list[StatementRow] = []
    index: dict[str, int] | None = None
    counts = {RowKind.PAYMENT: 0, RowKind.REFUND: 0}
    footer: set[RowKind] = set()
    for number, line in enumerate(lines, start=1):
        if line.startswith("#"):
            day = day or _start_day(line)
            footer |= _check_footer(line, number, counts) if index is not None else set()
            continue
        if not line.strip():
            continue
        if index is None:
            index = columns(cells(line, number), COLUMNS, number)
            continue
        if footer:
            raise StatementUnreadable(number, "a row after the totals")
        row = _row(cells(line, number), index, number)
        counts[row.kind] += 1
        rows.append(row)
    if index is None:
        raise StatementUnreadable(len(lines), f"no table: the {TRANSACTION} header is missing")
    if footer != set(FOOTER):
        raise StatementUnreadable(
            len(lines), "no 交易合计 / 退款合计 totals: the file is cut short"
        )
    return Statement(day=day, rows=rows)


def _start_day(line: str) -> date | None:
    found = START.search(line)
    return date(*(int(part) for part in found.groups())) if found else None


def _check_footer(line: str, number: int, counts: dict[RowKind, int]) -> set[RowKind]:
    """The kinds whose total this footer line states, once checked against the rows."""
    for kind, pattern in FOOTER.items():
        found = pattern.match(line)
        if found and int(found.group(1)) != counts[kind]:
            raise StatementUnreadable(
                number, f"the total says {found.group(1)} rows, the file has {counts[kind]}"
            )
        if found:
            return {kind}
    return set()


def _row(row: list[str], index: dict[str, int], number: int) -> StatementRow:
    kind_text = field(row, index, TYPE, number)
    kind = KINDS.get(kind_text)
    if kind is None:
        raise StatementUnreadable(number, f"{TYPE} {kind_text!r} is not 交易 or 退款")
    value = amount(field(row, index, TOTAL, number), TOTAL, number)
    value = -value if kind is RowKind.REFUND else value
    if value <= 0:
        raise StatementUnreadable(number, f"{TOTAL} {value} has the wrong sign for {kind_text}")
    return StatementRow(
        line=number,
        kind=kind,
        transaction_id=required(row, index, TRANSACTION, number),
        out_trade_no=field(row, index, TRADE, number),
        amount=value,
        at=beijing_time(field(row, index, FINISHED, number), FINISHED, number),
        refund_no=field(row, index, REFUND_NO, number) if kind is RowKind.REFUND else "",
    )
