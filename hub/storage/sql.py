"""SQL helpers for the hot path that must read the same on every call.

`column IN (:a, :b, ...)` is new text for every list length, so PostgreSQL's driver parses it
anew each time and never prepares it; `column = ANY(:ids)` with one array parameter is one
statement, prepared once. SQLite has no arrays and keeps the IN list.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Integer, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def among(
    session: Session, column: ColumnElement[Any], ids: Collection[int]
) -> ColumnElement[bool]:
    """`column` is one of `ids` (integers), written the way the session's database likes."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, sorted(ids), type_=ARRAY(Integer)))
    return column.in_(sorted(ids))
