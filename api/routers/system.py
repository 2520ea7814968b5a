"""System health for staff: row counts and the dead letters the hub could not use."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import SessionDep, require_role
from api.params import BeforeId, KeyedPage, next_before_id
from hub.domain import Role
from hub.services import status
from hub.storage.models import User

router = APIRouter(tags=["system"])

Staff = Annotated[User, Depends(require_role(Role.ADMIN, Role.OPERATOR))]


class DeadLetterOut(BaseModel):
    id: int
    topic: str
    reason: str
    received_at: datetime
    payload: str = Field(description="the first bytes kept (4 KiB at most), as text or base64")
    payload_encoding: Literal["utf-8", "base64"]
    size: int = Field(description="bytes of the whole payload as received")
    sha256: str = Field(description="hex SHA-256 of the whole payload")
    truncated: bool = Field(description="whether payload is only the start of it")


class DeadLetterPage(KeyedPage):
    items: list[DeadLetterOut]


@router.get("/status")
def get_status(session: SessionDep, _: Staff) -> dict[str, int]:
    """The same counts as `hub status --json`."""
    return status.counts(session)


@router.get("/dead-letters")
def list_dead_letters(
    session: SessionDep,
    _: Staff,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: BeforeId = None,
) -> DeadLetterPage:
    """Newest first, a page at a time; each payload bounded, so a page is too."""
    letters = status.latest_dead_letters(session, limit=limit, before_id=before_id)
    items = [DeadLetterOut.model_validate(status.dead_letter_view(d)) for d in letters]
    cursor = next_before_id([item.id for item in items], limit)
    return DeadLetterPage(items=items, next_before_id=cursor)
