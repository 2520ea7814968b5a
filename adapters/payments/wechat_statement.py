"""WeChat Pay's trade bill (交易账单, bill_type ALL) as downloaded: UTF-8 CSV, a header row,
one row per trade or refund with every cell prefixed by a backquote (so spreadsheets keep long
numbers as text), then the summary header (总交易单数, ...) and its one row.

A SUCCESS row is a payment of 订单金额; a REFUND row a refund of 退款金额 against the trade in
微信订单号 (its 应结订单金额 is 0); REVOKED (撤销) moved no money. Times are Beijing time. The
summary's count and refund total must agree with the rows, so a file cut short is refused.
"""

from __future__ import annotations

from decimal import Decimal

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

TIME = "交易时间"
TRANSACTION = "微信订单号"
TRADE = "商户订单号"
STATE = "交易状态"
REFUND_NO = "微信退款单号"
REFUNDED = "退款金额"
TOTAL = "订单金额"
COLUMNS = (TIME, TRANSACTION, TRADE, STATE, REFUND_NO, REFUNDED, TOTAL)
SUMMARY = "总交易单数"
REFUND_TOTAL = "退款总金额"
SUMMARY_COLUMNS = (SUMMARY, REFUND_TOTAL)
NO_MONEY = frozenset({"REVOKED"})


def _cells(line: str, number: int) -> list[str]:
    return [cell.removeprefix("`") for cell in cells(line, number)]


def parse_trade_bill(data: bytes) -> Statement:
    """The rows of a WeChat Pay trade bill; `StatementUnreadable` naming the line otherwise."""
    lines = decode(data, "utf-8", provider="WeChat Pay")
    if not lines or TRANSACTION not in lines[0]:
        raise StatementUnreadable(1, f"not a WeChat Pay trade bill: no {TRANSACTION} header")
    index = columns(cells(lines[0], 1), COLUMNS, 1)
    rows: list[StatementRow] = []
    refunds, count = Decimal(0), 0
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith(SUMMARY):
            _check_summary(lines, number, count, refunds)
            return Statement(day=None, rows=rows)
        if not line.strip():
            continue
        row = _row(_cells(line, number), index, number)
        count += 1
        if row is not None:
            rows.append(row)
            refunds += row.amount if row.kind is RowKind.REFUND else 0
    raise StatementUnreadable(
        len(lines), f"no summary ({SUMMARY}) at the end: the file is cut short"
    )


def _row(row: list[str], index: dict[str, int], number: int) -> StatementRow | None:
    state = field(row, index, STATE, number)
    if state in NO_MONEY:
        return None
    if state == "SUCCESS":
        kind, money, refund_no = RowKind.PAYMENT, field(row, index, TOTAL, number), ""
    elif state == "REFUND":
        kind, money = RowKind.REFUND, field(row, index, REFUNDED, number)
        refund_no = field(row, index, REFUND_NO, number)
    else:
        raise StatementUnreadable(number, f"{STATE} {state!r} is not SUCCESS, REFUND or REVOKED")
    value = amount(money, REFUNDED if kind is RowKind.REFUND else TOTAL, number)
    if value <= 0:
        raise StatementUnreadable(number, f"amount {money!r} is not positive")
    return StatementRow(
        line=number,
        kind=kind,
        transaction_id=required(row, index, TRANSACTION, number),
        out_trade_no=field(row, index, TRADE, number),
        amount=value,
        at=beijing_time(field(row, index, TIME, number), TIME, number),
        refund_no=refund_no,
    )


def _check_summary(lines: list[str], number: int, count: int, refunds: Decimal) -> None:
    """The summary row must count the rows and add up their refunds."""
    index = columns(cells(lines[number - 1], number), SUMMARY_COLUMNS, number)
    if number >= len(lines):
        raise StatementUnreadable(number, "the summary header has no row under it")
    summary = _cells(lines[number], number + 1)
    stated = field(summary, index, SUMMARY, number + 1)
    if stated != str(count):
        raise StatementUnreadable(number + 1, f"{SUMMARY} says {stated}, the file has {count} rows")
    refunded = amount(field(summary, index, REFUND_TOTAL, number + 1), REFUND_TOTAL, number + 1)
    if refunded != refunds:
        raise StatementUnreadable(
            number + 1, f"{REFUND_TOTAL} says {refunded}, the refund rows add up to {refunds}"
        )
