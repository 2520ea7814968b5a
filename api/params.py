"""Numbers a request may name, bounded to what the database holds.

Ids are 32-bit integer columns: a larger id in a path, form or body is refused with 422 before
it reaches a query, where PostgreSQL and SQLite would overflow (a 500).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

DB_ID_MAX = 2**31 - 1

ObjectId = Annotated[int, Path(ge=1, le=DB_ID_MAX)]
IdField = Annotated[int, Field(ge=1, le=DB_ID_MAX)]
