"""The rules file for administrators: read it, check a text (errors at line and column), save
it (checked first, audited); the worker picks the saved file up by itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from hub.config_files import read_text
from hub.domain import Role
from hub.services import rules_file
from hub.storage.models import User

router = APIRouter(prefix="/rules-file", tags=["rules"])
AdminDep = Annotated[User, Depends(require_role(Role.ADMIN))]


class RulesText(BaseModel):
    text: Annotated[str, Field(max_length=rules_file.MAX_CHARS)]


class RulesFileOut(BaseModel):
    name: str  # the file's name (where it lives is the hub's setting)
    text: str


class RuleProblemOut(BaseModel):
    line: int  # 1-based
    column: int  # 1-based
    message: str


class RulesCheckOut(BaseModel):
    ok: bool
    rules: int  # how many rules the text holds (0 when it has problems)
    problems: list[RuleProblemOut]


def _check_out(result: rules_file.RulesCheck) -> RulesCheckOut:
    return RulesCheckOut(
        ok=not result.problems,
        rules=result.rules,
        problems=[
            RuleProblemOut(line=p.line, column=p.column, message=p.message) for p in result.problems
        ],
    )


@router.get("")
def read(context: ContextDep, _: AdminDep) -> RulesFileOut:
    path = context.settings.rules_file
    return RulesFileOut(name=path.name, text=read_text(path))


@router.post("/check")
def check(body: RulesText, _: AdminDep) -> RulesCheckOut:
    """Validate and compile a text as the hub would load it; nothing is saved."""
    return _check_out(rules_file.check(body.text))


@router.put("")
def save(
    body: RulesText, session: SessionDep, context: ContextDep, admin: AdminDep
) -> RulesCheckOut:
    """Replace the rules file; a text with problems is refused (422 `rules_invalid`, each at
    line and column) and the file stays as it was."""
    path = context.settings.rules_file
    result = rules_file.save(session, path, body.text, by=admin, now=context.clock.now())
    return _check_out(result)
