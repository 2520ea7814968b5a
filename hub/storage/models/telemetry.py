"""What devices said: numeric readings, discrete events, and what could not be understood."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base
from hub.storage.types import QUANTITY, UTCDateTime


class Reading(Base):
    """One value of one metric at one time; (device, metric, ts) is unique so replays are no-ops."""

    __tablename__ = "readings"
    # The unique index also serves "last reading of a device" and "a meter's readings in a
    # period"; a second index on the same columns would only double the cost of every insert.
    __table_args__ = (UniqueConstraint("device_id", "metric", "ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key, on purpose: the check is a lookup in `devices` for every row, 40 % of
    # PostgreSQL's cost of taking a batch (47,000 vs 75,000 rows/s, docs/BENCHMARKS.md). Only
    # ingest and the readings import write here, both for a device they have just looked up,
    # and devices are never deleted.
    device_id: Mapped[int]
    metric: Mapped[str] = mapped_column(String(64))
    ts: Mapped[datetime] = mapped_column(UTCDateTime())
    value: Mapped[Decimal | None] = mapped_column(QUANTITY)
    text: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(32), default="mqtt")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeviceEvent(Base):
    """A discrete event: a checkpoint scan, a card swipe, a status change."""

    __tablename__ = "device_events"
    __table_args__ = (Index("ix_device_events_device_ts", "device_id", "ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    kind: Mapped[str] = mapped_column(String(64))
    ts: Mapped[datetime] = mapped_column(UTCDateTime())
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeadLetter(Base):
    """A message the hub could not use, with the reason: its first bytes (`payload`, at most
    `hub.ingest.DEAD_LETTER_KEEP`), its full size and its SHA-256, so a flood of huge messages
    cannot fill the database yet each one can still be told apart and matched to its sender."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    topic: Mapped[str] = mapped_column(String(512))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]  # of the whole payload, in bytes
    sha256: Mapped[str] = mapped_column(String(64))  # of the whole payload, hex
    reason: Mapped[str] = mapped_column(Text)
