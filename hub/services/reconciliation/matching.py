"""The matching rule, pure: a statement's rows against the payments we booked that day.

By transaction id first, then the amount. A payment row with no payment of ours is missing on
our side (or booked on another day); a payment of ours that no row lists is missing on the
provider's side; the same movement listed again is a duplicate; refunds are listed as such.
Every line but a match is a difference that finance notes before signing the day off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from adapters.payments.statement import RowKind, StatementRow
from hub.storage.models.reconciliation import ItemKind


@dataclass(frozen=True)
class Booked:
    """A payment of ours through the provider."""

    payment_id: int
    bill_id: int | None  # an online payment's bill (always set for a provider's)
    transaction_id: str
    out_trade_no: str
    amount: Decimal
    paid_at: datetime


@dataclass(frozen=True)
class Item:
    """One line of a day's result; `key` names it stably for finance's note."""

    kind: ItemKind
    key: str
    transaction_id: str
    at: datetime
    out_trade_no: str = ""
    refund_no: str = ""
    line: int | None = None
    statement_amount: Decimal | None = None
    our_amount: Decimal | None = None
    payment_id: int | None = None
    bill_id: int | None = None

    @property
    def is_difference(self) -> bool:
        return self.kind is not ItemKind.MATCHED


def match(
    rows: Sequence[StatementRow],
    ours: Iterable[Booked],
    *,
    elsewhere: Mapping[str, Booked],
    trades: Mapping[str, int],
) -> list[Item]:
    """The day's result: rows in file order, then our payments no row listed.

    `elsewhere`: our payments on other days, by transaction id; `trades`: the bill of each of
    our trade numbers (out_trade_no), so a payment we never booked still names its bill.
    """
    by_transaction = {booked.transaction_id: booked for booked in ours}
    listed: set[str] = set()
    seen: dict[tuple[RowKind, str, str], int] = {}
    items: list[Item] = []
    for row in rows:
        movement = (row.kind, row.transaction_id, row.refund_no)
        seen[movement] = seen.get(movement, 0) + 1
        booked = by_transaction.get(row.transaction_id) or elsewhere.get(row.transaction_id)
        if seen[movement] > 1:
            key = f"duplicate:{row.transaction_id}:{row.refund_no}:{seen[movement]}"
            items.append(_of_row(row, ItemKind.DUPLICATE, key, booked, trades))
        elif row.kind is RowKind.REFUND:
            key = f"refund:{row.transaction_id}:{row.refund_no}"
            items.append(_of_row(row, ItemKind.REFUND, key, booked, trades))
        else:
            kind = _payment_kind(row, by_transaction.get(row.transaction_id), booked)
            listed.add(row.transaction_id)
            items.append(_of_row(row, kind, f"{kind.value}:{row.transaction_id}", booked, trades))
    for booked in sorted(by_transaction.values(), key=lambda b: b.paid_at):
        if booked.transaction_id not in listed:
            items.append(
                Item(
                    kind=ItemKind.MISSING_PROVIDER,
                    key=f"missing_provider:{booked.transaction_id}",
                    transaction_id=booked.transaction_id,
                    at=booked.paid_at,
                    out_trade_no=booked.out_trade_no,
                    our_amount=booked.amount,
                    payment_id=booked.payment_id,
                    bill_id=booked.bill_id,
                )
            )
    return items


def _payment_kind(row: StatementRow, today: Booked | None, booked: Booked | None) -> ItemKind:
    if booked is None:
        return ItemKind.MISSING_OURS
    if today is None:
        return ItemKind.OTHER_DAY
    return ItemKind.MATCHED if today.amount == row.amount else ItemKind.AMOUNT_MISMATCH


def _of_row(
    row: StatementRow, kind: ItemKind, key: str, booked: Booked | None, trades: Mapping[str, int]
) -> Item:
    return Item(
        kind=kind,
        key=key,
        transaction_id=row.transaction_id,
        at=row.at,
        out_trade_no=row.out_trade_no,
        refund_no=row.refund_no,
        line=row.line,
        statement_amount=row.amount,
        our_amount=None if booked is None else booked.amount,
        payment_id=None if booked is None else booked.payment_id,
        bill_id=booked.bill_id if booked is not None else trades.get(row.out_trade_no),
    )
