"""Preventive maintenance (保养/巡检计划): plans, the tasks they generate with a copy of their
checklist, and the usage counters that usage plans count from readings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.domain import (
    AssetClass,
    CalendarUnit,
    ChecklistKind,
    MaintenanceTaskStatus,
    MaintenanceTrigger,
    UsageCounter,
)
from hub.storage.base import Base
from hub.storage.models.assets import Asset
from hub.storage.models.users import User
from hub.storage.types import QUANTITY, UTCDateTime, enum_type


class MaintenancePlan(Base):
    """What is maintained how often: one asset, or every asset of a class in the estate.

    Calendar plans step from `anchor` every `every` `unit`s; usage plans every `usage_every`
    units of `counter` counted from the `metric` of the asset's devices. `checklist` holds the
    items as `hub.services.maintenance.plans.ChecklistItem` dicts (limits as decimal strings).
    """

    __tablename__ = "maintenance_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))  # the site file's key; unique per estate
    name: Mapped[str] = mapped_column(String(200))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id"), index=True)
    asset_class: Mapped[AssetClass | None] = mapped_column(enum_type(AssetClass))
    trigger: Mapped[MaintenanceTrigger] = mapped_column(enum_type(MaintenanceTrigger))
    every: Mapped[int | None] = mapped_column()
    unit: Mapped[CalendarUnit | None] = mapped_column(enum_type(CalendarUnit))
    anchor: Mapped[date | None] = mapped_column(Date)  # the estate's local date of the first
    counter: Mapped[UsageCounter | None] = mapped_column(enum_type(UsageCounter))
    metric: Mapped[str | None] = mapped_column(String(64))
    usage_every: Mapped[Decimal | None] = mapped_column(QUANTITY)
    lead_days: Mapped[int] = mapped_column(default=7)
    window_days: Mapped[int] = mapped_column(default=3)
    category: Mapped[str] = mapped_column(String(64))  # duty roster category
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("site_id", "code"),)

    asset: Mapped[Asset | None] = relationship(lazy="joined")


class MaintenanceTask(Base):
    """One due window of one plan for one asset; `sequence` numbers the plan's occurrences
    (calendar: 0 at the anchor; usage: the n-th multiple), so generating again adds nothing."""

    __tablename__ = "maintenance_tasks"
    __table_args__ = (
        UniqueConstraint("plan_id", "asset_id", "sequence"),
        Index("ix_maintenance_tasks_site_due", "site_id", "due_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("maintenance_plans.id"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"), index=True)
    sequence: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    due_by: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[MaintenanceTaskStatus] = mapped_column(
        enum_type(MaintenanceTaskStatus), index=True
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    plan: Mapped[MaintenancePlan] = relationship(lazy="joined")
    asset: Mapped[Asset] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    items: Mapped[list[MaintenanceTaskItem]] = relationship(
        lazy="selectin", order_by="MaintenanceTaskItem.position"
    )


class MaintenanceTaskItem(Base):
    """One checklist item of one task (copied from the plan when the task was made, so editing
    the plan never rewrites what was checked) and its result."""

    __tablename__ = "maintenance_task_items"
    __table_args__ = (UniqueConstraint("task_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("maintenance_tasks.id"))
    position: Mapped[int] = mapped_column()
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ChecklistKind] = mapped_column(enum_type(ChecklistKind))
    unit: Mapped[str] = mapped_column(String(32), default="")
    min_value: Mapped[Decimal | None] = mapped_column(QUANTITY)
    max_value: Mapped[Decimal | None] = mapped_column(QUANTITY)
    photo_required: Mapped[bool] = mapped_column(default=False)
    passed: Mapped[bool | None] = mapped_column()  # the result: None until checked
    value: Mapped[Decimal | None] = mapped_column(QUANTITY)
    note: Mapped[str] = mapped_column(Text, default="")
    photo_name: Mapped[str | None] = mapped_column(String(64))  # under var/uploads
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class UsageCursor(Base):
    """How far one usage counter of one asset has counted one device's readings: the last
    reading taken (its time and value) and the total so far, so each pass reads only newer
    readings."""

    __tablename__ = "usage_cursors"
    __table_args__ = (UniqueConstraint("asset_id", "device_id", "counter", "metric"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    counter: Mapped[UsageCounter] = mapped_column(enum_type(UsageCounter))
    metric: Mapped[str] = mapped_column(String(64))
    last_ts: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_value: Mapped[Decimal | None] = mapped_column(QUANTITY)
    total: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(0))
