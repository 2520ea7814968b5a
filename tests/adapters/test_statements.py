"""The three statement formats read from real file bytes: rows, refunds, Decimal amounts,
Beijing times; and every bad file refused naming its line."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from adapters.payments.alipay_statement import parse_trade_details
from adapters.payments.sandbox_statement import parse_statement, write_statement
from adapters.payments.statement import RowKind, StatementRow, StatementUnreadable
from adapters.payments.wechat_statement import parse_trade_bill
from tests.support.statements import alipay_details, alipay_row, wechat_bill, wechat_row

SUMMARY, TOTALS = "总交易单数".encode(), "#交易合计".encode("gbk")
TX1, TX2 = "4200001901202611100000000001", "4200001901202611100000000002"


def test_a_wechat_trade_bill_is_read_row_by_row() -> None:
    data = wechat_bill(
        [
            wechat_row("2026-11-10 09:59:38", TX1, "EH1", "409.58"),
            wechat_row("2026-11-10 11:20:00", TX2, "EH2", "309.38"),
            wechat_row(
                "2026-11-10 15:00:00", TX1, "EH1", "409.58", refund="9.58", refund_no="5001"
            ),
        ],
        refunds="9.58",
    )
    statement = parse_trade_bill(data)
    assert statement.day is None
    first, second, refund = statement.rows
    assert (first.line, first.kind, first.transaction_id, first.out_trade_no) == (
        2,
        RowKind.PAYMENT,
        TX1,
        "EH1",
    )
    assert first.amount == Decimal("409.58") and isinstance(first.amount, Decimal)
    assert first.at == datetime(2026, 11, 10, 1, 59, 38, tzinfo=UTC)  # Beijing time
    assert second.amount == Decimal("309.38")
    assert (refund.kind, refund.amount, refund.refund_no) == (
        RowKind.REFUND,
        Decimal("9.58"),
        "5001",
    )


@pytest.mark.parametrize(
    ("data", "line", "says"),
    [
        (
            wechat_bill([wechat_row("2026-11-10 09:00:00", TX1, "EH1", "4O9.58")]),
            2,
            "not an amount",
        ),
        (wechat_bill([wechat_row("2026-11-10 9h", TX1, "EH1", "1.00")]), 2, "交易时间"),
        (
            wechat_bill([wechat_row("2026-11-10 09:00:00", TX1, "EH1", "1.00")], count=2),
            4,
            "says 2",
        ),
        (
            wechat_bill([wechat_row("2026-11-10 09:00:00", TX1, "EH1", "1.00")]).split(SUMMARY)[0],
            2,
            "cut short",
        ),
        ("微信订单号,商户订单号\r\n`1,`2\r\n".encode(), 1, "columns missing: 交易时间"),
        (wechat_bill([]).decode().encode("gbk"), 1, "not utf-8"),
        (b"%PDF-1.7 not a bill", 1, "not a WeChat Pay trade bill"),
    ],
)
def test_a_bad_wechat_bill_is_refused_naming_the_line(data: bytes, line: int, says: str) -> None:
    with pytest.raises(StatementUnreadable) as refused:
        parse_trade_bill(data)
    assert refused.value.line == line
    assert says in str(refused.value) and f"line {line}" in str(refused.value)


def test_alipays_gbk_trade_details_are_read_with_refunds_negative() -> None:
    data = alipay_details(
        [
            alipay_row("2026-11-10 09:59:38", "2026111022001456780001", "EH1", "409.58"),
            alipay_row(
                "2026-11-10 16:00:00", "2026111022001456780001", "EH1", "-9.58", refund_no="RF1"
            ),
        ]
    )
    assert "支付宝".encode("gbk") in data  # the file really is GBK
    statement = parse_trade_details(data)
    assert statement.day == date(2026, 11, 10)
    paid, refund = statement.rows
    assert (paid.line, paid.kind, paid.out_trade_no, paid.amount) == (
        6,
        RowKind.PAYMENT,
        "EH1",
        Decimal("409.58"),
    )
    assert paid.transaction_id == "2026111022001456780001"  # the trailing tab is dropped
    assert paid.at == datetime(2026, 11, 10, 1, 59, 38, tzinfo=UTC)
    assert (refund.kind, refund.amount, refund.refund_no) == (
        RowKind.REFUND,
        Decimal("9.58"),
        "RF1",
    )


@pytest.mark.parametrize(
    ("data", "line", "says"),
    [
        (
            alipay_details([alipay_row("2026-11-10 09:00:00", "T1", "EH1", "12.3.4")]),
            6,
            "not an amount",
        ),
        (
            alipay_details([alipay_row("2026-11-10 09:00:00", "T1", "EH1", "-1.00")]),
            6,
            "wrong sign",
        ),
        (
            alipay_details([alipay_row("2026-11-10 09:00:00", "T1", "EH1", "1.00")], payments=3),
            8,
            "says 3",
        ),
        (
            alipay_details([alipay_row("2026-11-10 09:00:00", "T1", "EH1", "1.00")]).split(TOTALS)[
                0
            ],
            7,
            "cut short",
        ),
        (
            alipay_details([alipay_row("2026-11-10 09:00:00", "T1", "EH1", "1.00")])
            .decode("gbk")
            .encode(),
            1,
            "not gbk",
        ),
        (
            "#支付宝业务明细查询\r\n支付宝交易号,商户订单号\r\n".encode("gbk"),
            2,
            "columns missing: 业务类型",
        ),
        (b"date,amount\r\n2026-11-10,1.00\r\n", 1, "not an Alipay trade details file"),
    ],
)
def test_a_bad_alipay_file_is_refused_naming_the_line(data: bytes, line: int, says: str) -> None:
    with pytest.raises(StatementUnreadable) as refused:
        parse_trade_details(data)
    assert refused.value.line == line and says in str(refused.value)


def test_the_sandbox_statement_reads_back_what_it_wrote() -> None:
    row = StatementRow(
        line=0,
        kind=RowKind.PAYMENT,
        transaction_id="SBX0123456789ABCDEF012345",
        out_trade_no="EH2026111000000142AB",
        amount=Decimal("409.58"),
        at=datetime(2026, 11, 10, 2, 0, tzinfo=UTC),
    )
    data = write_statement(date(2026, 11, 10), [row])
    assert data.splitlines()[0] == "# Estate Hub sandbox statement 沙箱对账单,2026-11-10".encode()
    statement = parse_statement(data)
    assert statement.day == date(2026, 11, 10)
    assert statement.rows == [StatementRow(**{**vars(row), "line": 3})]
    with pytest.raises(StatementUnreadable, match=r"line 4 .*says 2 rows"):
        parse_statement(data.replace(b"# rows,1", b"# rows,2"))
    with pytest.raises(StatementUnreadable, match=r"line 3 .*amount '4O9\.58'"):
        parse_statement(data.replace(b"409.58", b"4O9.58"))
    with pytest.raises(StatementUnreadable, match="cut short"):
        parse_statement(data.rsplit(b"# rows", 1)[0])
