"""The day-close report (日结报表): the day's figures, every difference with its note, and
the matched payments, as tables for hub/services/spreadsheets.py."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.services.reconciliation.days import DayResult
from hub.services.reconciliation.matching import Item
from hub.services.spreadsheets import Table
from hub.services.work_order_views import home_label
from hub.storage.models import Bill, Home, User
from hub.storage.models.reconciliation import ItemKind

KIND_LABELS = {
    ItemKind.MATCHED: "已匹配 Matched",
    ItemKind.MISSING_OURS: "我方缺失 Missing on our side",
    ItemKind.MISSING_PROVIDER: "渠道缺失 Missing at the provider",
    ItemKind.AMOUNT_MISMATCH: "金额不符 Amount mismatch",
    ItemKind.OTHER_DAY: "跨日 Booked on another day",
    ItemKind.DUPLICATE: "重复 Duplicate row",
    ItemKind.REFUND: "退款 Refund",
}

HEADER = (
    "类型 Kind",
    "行 Line",
    "交易号 Transaction",
    "商户订单号 Trade",
    "退款单号 Refund",
    "对账单金额 Statement",
    "我方金额 Ours",
    "账单 Bill",
)


def bill_labels(session: Session, bill_ids: Iterable[int | None]) -> dict[int, str]:
    """ "B1/101 2026-10" for each bill, to say whose money a line is."""
    wanted = {bill_id for bill_id in bill_ids if bill_id is not None}
    rows = session.execute(
        select(Bill.id, Bill.period, Home)
        .join(Home, Bill.home_id == Home.id)
        .where(Bill.id.in_(wanted))
    )
    return {bill_id: f"{home_label(home)} {period}" for bill_id, period, home in rows}


def names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {user_id for user_id in user_ids if user_id is not None}
    rows = session.execute(select(User.id, User.full_name).where(User.id.in_(wanted)))
    return {user_id: name for user_id, name in rows}


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def tables(session: Session, result: DayResult) -> list[Table]:
    """Summary, differences (with notes) and matched lines of one provider's day."""
    record, statement = result.record, result.statement
    bills = bill_labels(session, (item.bill_id for item in result.items))
    people = names(
        session,
        [record.signed_off_by_id if record else None]
        + [note.noted_by_id for note in result.notes.values()],
    )
    matched = [item for item in result.items if not item.is_difference]
    signed = record.signed_off_by_id if record else None
    summary = Table(
        "日结 Day close",
        ("项目 Item", "值 Value"),
        [
            ("渠道 Provider", result.provider),
            ("日期 Day", result.day.isoformat()),
            ("状态 State", "未导入 No statement" if record is None else record.state.value),
            ("对账单 Statement", statement.filename if statement else None),
            ("SHA-256", statement.sha256 if statement else None),
            ("对账单行数 Statement rows", statement.rows if statement else 0),
            ("我方笔数 Our payments", len(result.booked)),
            ("我方金额 Our total", _money(sum((b.amount for b in result.booked), Decimal("0.00")))),
            ("已匹配 Matched", len(matched)),
            ("差异 Differences", len(result.differences)),
            ("未备注 Not noted", len(result.unnoted)),
            ("签核人 Signed off by", people.get(signed) if signed else None),
            (
                "签核时间 Signed off at (UTC)",
                f"{record.signed_off_at:%Y-%m-%d %H:%M}"
                if record and record.signed_off_at
                else None,
            ),
        ],
    )
    differences = Table(
        "差异 Differences",
        (*HEADER, "备注 Note", "备注人 Noted by"),
        [(*_line(item, bills), *_note(result, item, people)) for item in result.differences],
    )
    return [
        summary,
        differences,
        Table("已匹配 Matched", HEADER, [_line(i, bills) for i in matched]),
    ]


def _note(result: DayResult, item: Item, people: dict[int, str]) -> tuple[str | None, ...]:
    note = result.notes.get(item.key)
    return (None, None) if note is None else (note.text, people.get(note.noted_by_id))


def _line(item: Item, bills: dict[int, str]) -> tuple[str | int | None, ...]:
    return (
        KIND_LABELS[item.kind],
        item.line,
        item.transaction_id,
        item.out_trade_no,
        item.refund_no or None,
        _money(item.statement_amount),
        _money(item.our_amount),
        bills.get(item.bill_id) if item.bill_id else None,
    )
