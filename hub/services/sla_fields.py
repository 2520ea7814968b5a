"""What the SLA file's sections share: durations like `30m`, the `*` wildcard, the strict frozen
model every section is (an unknown key is an error, never ignored), and the problem report."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

ANY: Literal["*"] = "*"
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
MAX_LIMIT = timedelta(days=365)


def _duration(value: Any) -> Any:
    """`30m`, `2h`, `1d`, `1h30m` -> timedelta; a bare number is refused (minutes or seconds?)."""
    if isinstance(value, timedelta):
        return value
    text = str(value).strip()
    found = _DURATION.match(text)
    if isinstance(value, str) and found and any(found.groups()) and len(text) <= 16:
        days, hours, minutes = (int(g or 0) for g in found.groups())
        return timedelta(days=days, hours=hours, minutes=minutes)
    raise ValueError(f"{value!r} is not a duration like 30m, 2h, 1d or 1h30m")


Duration = Annotated[timedelta, BeforeValidator(_duration), Field(gt=timedelta(0), le=MAX_LIMIT)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


@dataclass(frozen=True)
class SlaProblem:
    """One thing wrong with an SLA text: where (a field path), a code, and what."""

    code: str
    where: str
    message: str
