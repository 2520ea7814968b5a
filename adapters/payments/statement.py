"""What every provider's daily statement (对账单) is turned into: rows of money the provider
moved, each with the line it came from, so a difference can be traced to the file.

The parsers (`wechat_statement`, `alipay_statement`, `sandbox_statement`) refuse a file they
cannot read whole with `StatementUnreadable`, naming the line; amounts are Decimal yuan.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from zoneinfo import ZoneInfo

from hub.errors import InvalidInput

CENT = Decimal("0.01")
BEIJING = ZoneInfo("Asia/Shanghai")  # WeChat Pay's and Alipay's statement times


class RowKind(StrEnum):
    PAYMENT = "payment"  # the provider took money for one of our trades
    REFUND = "refund"  # the provider gave (part of) it back


@dataclass(frozen=True)
class StatementRow:
    """One money movement in a statement; a refund's `transaction_id` is the trade refunded."""

    line: int  # 1-based line of the file
    kind: RowKind
    transaction_id: str  # the provider's 交易号
    out_trade_no: str  # our 商户订单号
    amount: Decimal  # yuan, positive: taken for a payment, given back for a refund
    at: datetime  # aware
    refund_no: str = ""  # the provider's refund number, for a refund


@dataclass(frozen=True)
class Statement:
    """A whole statement: the day it says it covers (None when the format does not say), and
    its rows in file order."""

    day: date | None
    rows: list[StatementRow]


class StatementUnreadable(InvalidInput):
    """A statement file that is not of the format, or not whole; `line` is where (0: the file)."""

    code = "statement_invalid"

    def __init__(self, line: int, reason: str) -> None:
        where = f"line {line} (第 {line} 行)" if line else "file (文件)"
        super().__init__(f"{where}: {reason}")
        self.line = line


def decode(data: bytes, encoding: str, *, provider: str) -> list[str]:
    """The file's lines as text; bytes that are not `encoding` are refused with their line."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise StatementUnreadable(
            line, f"not {encoding} text: {provider} statements are {encoding}-encoded"
        ) from None
    return text.removeprefix("\ufeff").splitlines()


def cells(line: str, number: int) -> list[str]:
    """One CSV line's cells."""
    try:
        return next(csv.reader([line]))
    except (csv.Error, StopIteration):
        raise StatementUnreadable(number, "not a CSV line") from None


def columns(header: Sequence[str], names: Iterable[str], number: int) -> dict[str, int]:
    """Where each required column is in `header`; missing ones are named."""
    index = {name.strip(): i for i, name in enumerate(header)}
    missing = [name for name in names if name not in index]
    if missing:
        raise StatementUnreadable(number, f"columns missing: {', '.join(missing)}")
    return index


def field(row: Sequence[str], index: Mapping[str, int], name: str, number: int) -> str:
    """The cell of column `name`, stripped; a short row is refused."""
    position = index[name]
    if position >= len(row):
        raise StatementUnreadable(number, f"{len(row)} cells, no {name}")
    return row[position].strip()


def amount(text: str, name: str, number: int) -> Decimal:
    """A cell's amount in yuan, to the fen; anything else is refused with line and column."""
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value != value.quantize(CENT):
        raise StatementUnreadable(number, f"{name} {text!r} is not an amount in yuan")
    return value.quantize(CENT)


def required(row: Sequence[str], index: Mapping[str, int], name: str, number: int) -> str:
    """The cell of column `name`, which must not be empty."""
    value = field(row, index, name, number)
    if not value:
        raise StatementUnreadable(number, f"{name} is empty")
    return value


def beijing_time(text: str, name: str, number: int) -> datetime:
    """A "2026-11-10 09:59:38" Beijing time (WeChat Pay's and Alipay's files), as UTC."""
    try:
        local = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise StatementUnreadable(
            number, f"{name} {text!r} is not a time like 2026-11-10 09:59:38"
        ) from None
    return local.replace(tzinfo=BEIJING).astimezone(UTC)
