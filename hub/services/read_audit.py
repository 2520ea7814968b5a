"""Staff reads of owners' records go in the audit log; owners reading their own do not.

物业云平台制度 二(三)3: staff query data only as their duty needs, and owner contact details
only for the job. The log is how a property company checks that afterwards.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hub.domain import Role
from hub.services import audit
from hub.storage.models import User

READ = "read"
PII_READ = "pii_read"


def staff_read(
    session: Session, user: User, *, at: datetime, target: str, detail: str = ""
) -> None:
    """Record that a staff member read `target` (e.g. `work_order:7`, `work_orders`)."""
    if user.role is Role.OWNER:
        return
    audit.record(session, at=at, user_id=user.id, action=READ, target=target, detail=detail)


def pii_read(session: Session, user: User, *, at: datetime, target: str, field: str) -> None:
    """Record an unmasked read of an owner's personal data by staff."""
    if user.role is Role.OWNER:
        return
    audit.record(session, at=at, user_id=user.id, action=PII_READ, target=target, detail=field)
