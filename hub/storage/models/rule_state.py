"""The rules engine's memory (timers, windows, last values), so a restart resumes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base
from hub.storage.types import UTCDateTime


class RuleState(Base):
    """One rule's state for one key: a device id, or `location:...` for composite rules."""

    __tablename__ = "rule_states"
    __table_args__ = (UniqueConstraint("rule_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(255))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
