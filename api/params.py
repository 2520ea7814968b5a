"""Numbers a request may name, bounded to what the database holds.

Ids are 32-bit integer columns: a larger id in a path, form or body is refused with 422 before
it reaches a query, where PostgreSQL and SQLite would overflow (a 500).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, Field

DB_ID_MAX = 2**31 - 1

ObjectId = Annotated[int, Path(ge=1, le=DB_ID_MAX)]
IdField = Annotated[int, Field(ge=1, le=DB_ID_MAX)]
QueryId = Annotated[int | None, Query(ge=1, le=DB_ID_MAX)]  # an optional ?x_id= filter

# A period of local days [from, to) for the analysis pages; beyond these no record exists
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 1, 1)
PeriodFrom = Annotated[
    date | None,
    Query(alias="from", ge=EARLIEST, le=LATEST, description="first day, in the estate's zone"),
]
PeriodTo = Annotated[
    date | None,
    Query(ge=EARLIEST, le=LATEST, description="the day after the last (not included)"),
]

# Pages of a growing list are keyed by id, newest first: rows written while someone reads do not
# shift the next page as an offset would.
BeforeId = Annotated[int | None, Query(ge=1, le=DB_ID_MAX)]


class KeyedPage(BaseModel):
    next_before_id: int | None = Field(description="pass as before_id for the next page")


def next_before_id(ids: Sequence[int], limit: int) -> int | None:
    """A full page may have more after it: its last id keys the next one."""
    return ids[-1] if len(ids) == limit else None
