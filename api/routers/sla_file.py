"""The SLA policy file for administrators: read it, check a text (each problem with a code),
save it (checked first, audited); every order's clocks follow the saved file at once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from hub.config_files import read_text
from hub.domain import Role
from hub.services import sla_file
from hub.storage.models import User

router = APIRouter(prefix="/sla-file", tags=["sla"])
AdminDep = Annotated[User, Depends(require_role(Role.ADMIN))]


class SlaText(BaseModel):
    text: Annotated[str, Field(max_length=sla_file.MAX_CHARS)]


class SlaFileOut(BaseModel):
    name: str = Field(description="the file's name (where it lives is the hub's setting)")
    text: str


class SlaProblemOut(BaseModel):
    code: str = Field(description="translated by the console: errors.<code>")
    where: str = Field(description="the field, e.g. policies.2.limits.accept")
    message: str


class SlaCheckOut(BaseModel):
    ok: bool
    policies: int = Field(description="how many policies the text holds (0 with problems)")
    problems: list[SlaProblemOut]


def _check_out(result: sla_file.SlaCheck) -> SlaCheckOut:
    return SlaCheckOut(
        ok=not result.problems,
        policies=result.policies,
        problems=[
            SlaProblemOut(code=p.code, where=p.where, message=p.message) for p in result.problems
        ],
    )


@router.get("")
def read(context: ContextDep, _: AdminDep) -> SlaFileOut:
    path = context.settings.sla_file
    return SlaFileOut(name=path.name, text=read_text(path))


@router.post("/check")
def check(body: SlaText, _: AdminDep) -> SlaCheckOut:
    """Validate a text as the hub would load it; nothing is saved."""
    return _check_out(sla_file.check(body.text))


@router.put("")
def save(body: SlaText, session: SessionDep, context: ContextDep, admin: AdminDep) -> SlaCheckOut:
    """Replace the SLA file; a text with problems is refused (422 `sla_invalid`, naming each
    problem and its code) and the file stays as it was."""
    path = context.settings.sla_file
    result = sla_file.save(session, path, body.text, by=admin, now=context.clock.now())
    return _check_out(result)
