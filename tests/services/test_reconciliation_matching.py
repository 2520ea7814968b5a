"""The matching rule on a WeChat Pay trade bill's rows (the hub cannot take WeChat payments
yet, so our side is given as the payments it would book)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from adapters.payments.wechat_statement import parse_trade_bill
from hub.services.reconciliation.matching import Booked, match
from hub.storage.models.reconciliation import ItemKind
from tests.support.statements import wechat_bill, wechat_row

AT = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)


def booked(n: int, amount: str) -> Booked:
    return Booked(n, 100 + n, f"42000{n}", f"EH{n}", Decimal(amount), AT)


def test_wechat_rows_missing_duplicate_and_mismatched() -> None:
    bill = wechat_bill(
        [
            wechat_row("2026-11-10 09:00:00", "420001", "EH1", "409.58"),
            wechat_row("2026-11-10 09:00:00", "420001", "EH1", "409.58"),
            wechat_row("2026-11-10 10:00:00", "420002", "EH2", "300.00"),
            wechat_row("2026-11-10 11:00:00", "420009", "EH9", "50.00"),
            wechat_row("2026-11-10 12:00:00", "420005", "EH5", "20.00"),
            wechat_row(
                "2026-11-10 13:00:00", "420001", "EH1", "409.58", refund="9.58", refund_no="R1"
            ),
        ],
        refunds="9.58",
    )
    rows = parse_trade_bill(bill).rows
    items = match(
        rows,
        [booked(1, "409.58"), booked(2, "309.38"), booked(3, "195.91")],
        elsewhere={"420005": booked(5, "20.00")},
        trades={"EH9": 109},
    )
    assert [(i.kind, i.line, i.bill_id) for i in items] == [
        (ItemKind.MATCHED, 2, 101),
        (ItemKind.DUPLICATE, 3, 101),
        (ItemKind.AMOUNT_MISMATCH, 4, 102),
        (ItemKind.MISSING_OURS, 5, 109),  # our trade, never booked: the notification was lost
        (ItemKind.OTHER_DAY, 6, 105),
        (ItemKind.REFUND, 7, 101),
        (ItemKind.MISSING_PROVIDER, None, 103),
    ]
    assert len({i.key for i in items}) == len(items)  # each difference can carry its own note
    assert [i.is_difference for i in items] == [False] + [True] * 6
