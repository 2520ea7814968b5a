"""System health for staff: row counts and the dead letters the hub could not use."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import SessionDep, require_role
from hub.domain import Role
from hub.services import status
from hub.storage.models import User

router = APIRouter(tags=["system"])

Staff = Annotated[User, Depends(require_role(Role.ADMIN, Role.OPERATOR))]


@router.get("/status")
def get_status(session: SessionDep, _: Staff) -> dict[str, int]:
    """The same counts as `hub status --json`."""
    return status.counts(session)


@router.get("/dead-letters")
def list_dead_letters(
    session: SessionDep, _: Staff, limit: Annotated[int, Query(ge=1, le=1000)] = 50
) -> list[dict[str, Any]]:
    """Newest first; payload as text when UTF-8, else base64 (see `payload_encoding`)."""
    return [status.dead_letter_view(d) for d in status.latest_dead_letters(session, limit=limit)]
