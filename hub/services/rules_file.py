"""The rules file as an administrator edits it: read, checked (errors at line and column), and
saved only when it checks, atomically and audited. The worker reloads a changed file by itself
(hub/services/rule_state.py), keeping the running rules when a file is bad."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from hub.config_files import write_atomically
from hub.errors import ConfigError
from hub.services import audit
from hub.storage.models import User
from rules.compile import Problem, check_text

MAX_CHARS = 512 * 1024


@dataclass(frozen=True)
class RulesCheck:
    """How many rules a text holds, or what is wrong with it."""

    rules: int
    problems: list[Problem]


def check(text: str) -> RulesCheck:
    """Validate and compile `text` as the hub would at load; nothing is saved."""
    rules, problems = check_text(text)
    return RulesCheck(rules=0 if rules is None else len(rules.rules), problems=problems)


def save(session: Session, path: Path, text: str, *, by: User, now: datetime) -> RulesCheck:
    """Replace the rules file with `text` if it checks; refused (`rules_invalid`, with line and
    column) otherwise, leaving the file as it was."""
    result = check(text)
    if result.problems:
        where = "; ".join(f"line {p.line}, column {p.column}: {p.message}" for p in result.problems)
        raise ConfigError(f"the rules are not saved: {where}", code="rules_invalid")
    write_atomically(path, text)
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action="rules_saved",
        target=f"rules:{path.name}",
        detail=f"{result.rules} rules, {len(text.encode())} bytes",
    )
    return result
