"""Numbers a request may name, bounded to what the database holds.

Ids are 32-bit integer columns: a larger id in a path, form or body is refused with 422 before
it reaches a query, where PostgreSQL and SQLite would overflow (a 500).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, Field

DB_ID_MAX = 2**31 - 1

ObjectId = Annotated[int, Path(ge=1, le=DB_ID_MAX)]
IdField = Annotated[int, Field(ge=1, le=DB_ID_MAX)]
QueryId = Annotated[int | None, Query(ge=1, le=DB_ID_MAX)]  # an optional ?x_id= filter

# Pages of a growing list are keyed by id, newest first: rows written while someone reads do not
# shift the next page as an offset would.
BeforeId = Annotated[int | None, Query(ge=1, le=DB_ID_MAX)]


class KeyedPage(BaseModel):
    next_before_id: int | None = Field(description="pass as before_id for the next page")


def next_before_id(ids: Sequence[int], limit: int) -> int | None:
    """A full page may have more after it: its last id keys the next one."""
    return ids[-1] if len(ids) == limit else None
