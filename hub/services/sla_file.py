"""The SLA policy file as an administrator edits it: read, checked (each problem with a code),
saved only when it checks, atomically and audited. Clocks pick a saved file up at once
(hub/services/sla_policy.py re-reads it when it changes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from hub.config_files import write_atomically
from hub.services import audit, sla_policy
from hub.services.sla_fields import SlaProblem
from hub.storage.models import User

MAX_CHARS = 256 * 1024


@dataclass(frozen=True)
class SlaCheck:
    """How many policies a text holds, or what is wrong with it."""

    policies: int
    problems: list[SlaProblem]


def check(text: str) -> SlaCheck:
    """Validate `text` as the hub would load it; nothing is saved."""
    spec, problems = sla_policy.parse(text)
    return SlaCheck(policies=len(spec.policies) if spec else 0, problems=problems)


def save(session: Session, path: Path, text: str, *, by: User, now: datetime) -> SlaCheck:
    """Replace the SLA file with `text` if it checks; refused (`sla_invalid`, naming each
    problem and its code) otherwise, leaving the file as it was."""
    sla_policy.parse_or_raise(text, source=path.name)
    result = check(text)
    write_atomically(path, text)
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action="sla_saved",
        target=f"sla:{path.name}",
        detail=f"{result.policies} policies, {len(text.encode())} bytes",
    )
    return result
