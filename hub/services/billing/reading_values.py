"""A reading's value as billing sees it: corrected (hub/services/billing/corrections.py) or as
it arrived."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from hub.storage.models import Reading, ReadingCorrection
from hub.storage.types import QUANTITY


def effective_value() -> ColumnElement[Decimal]:
    """A reading's value for billing: its newest correction's, else its own (correlates with
    the enclosing query of `readings`)."""
    newest = (
        select(ReadingCorrection.value)
        .where(ReadingCorrection.reading_id == Reading.id)
        .order_by(ReadingCorrection.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(newest, Reading.value, type_=QUANTITY)


def corrected_values(session: Session, reading_ids: Iterable[int]) -> dict[int, Decimal]:
    """The newest corrected value of each of `reading_ids` that has a correction."""
    found: dict[int, Decimal] = {}
    for reading_id, value in session.execute(
        select(ReadingCorrection.reading_id, ReadingCorrection.value)
        .where(ReadingCorrection.reading_id.in_(list(reading_ids)))
        .order_by(ReadingCorrection.id)
    ):
        found[reading_id] = value  # the newest last
    return found
