"""What each running hub worker last said about itself: the control room's health page reads it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base
from hub.storage.types import UTCDateTime


class WorkerHeartbeat(Base):
    """One row per worker (its partition, e.g. "1/1"), rewritten at every timer pass."""

    __tablename__ = "worker_heartbeats"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime())
    every_s: Mapped[float]  # how often it beats: silent for 3 times this, it is taken as gone
    broker_connected: Mapped[bool]
    queued: Mapped[int]  # messages received, not yet committed
    messages: Mapped[int]  # since it started
    dead_letters: Mapped[int]  # since it started
