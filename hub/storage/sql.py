"""SQL written the way each database likes: for the hot path, statements that read the same on
every call; for charts, time arithmetic that SQLite and PostgreSQL spell differently.

`column IN (:a, :b, ...)` is new text for every list length, so PostgreSQL's driver parses it
anew each time and never prepares it; `column = ANY(:ids)` with one array parameter is one
statement, prepared once. SQLite has no arrays and keeps the IN list.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    SQLColumnExpression,
    any_,
    bindparam,
    cast,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def among(
    session: Session, column: ColumnElement[Any], ids: Collection[int]
) -> ColumnElement[bool]:
    """`column` is one of `ids` (integers), written the way the session's database likes."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, sorted(ids), type_=ARRAY(Integer)))
    return column.in_(sorted(ids))


def epoch_seconds(session: Session, column: SQLColumnExpression[datetime]) -> ColumnElement[int]:
    """Whole seconds since 1970 of a UTC datetime `column`, as an integer, on either database:
    SQLite keeps the naive UTC text (`strftime('%s')`), PostgreSQL a timestamptz (`EXTRACT`,
    floored first: a cast alone would round 0.5 s up into the next second)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column)), BigInteger)
    return cast(func.strftime("%s", column), BigInteger)
