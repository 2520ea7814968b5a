"""Yearly budgets (预算) of an estate's departments, their lines by category and month, and
the cost entries (费用支出) finance records against them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.domain import BudgetCategory, BudgetStatus, DepartmentKind
from hub.storage.base import Base
from hub.storage.models.users import User
from hub.storage.types import MONEY, UTCDateTime, enum_type


class Department(Base):
    """One of an estate's departments (部门); its head prepares its budget."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("site_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    kind: Mapped[DepartmentKind] = mapped_column(enum_type(DepartmentKind))
    name: Mapped[str] = mapped_column(String(100))
    head_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    head: Mapped[User] = relationship(lazy="joined")


class Budget(Base):
    """A department's budget for a year, one version of it: read-only once approved; a change
    is the next version, approved again, and replaces it then (`superseded`)."""

    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("department_id", "year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    year: Mapped[int] = mapped_column()
    version: Mapped[int] = mapped_column()
    status: Mapped[BudgetStatus] = mapped_column(enum_type(BudgetStatus))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str] = mapped_column(Text, default="")  # finance's, when returned

    department: Mapped[Department] = relationship(lazy="joined")
    lines: Mapped[list[BudgetLine]] = relationship(
        order_by="BudgetLine.id",
        lazy="selectin",
        cascade="all, delete-orphan",
    )


class BudgetLine(Base):
    """What a budget plans for one category in one month (1-12)."""

    __tablename__ = "budget_lines"
    __table_args__ = (UniqueConstraint("budget_id", "category", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id"), index=True)
    category: Mapped[BudgetCategory] = mapped_column(enum_type(BudgetCategory))
    month: Mapped[int] = mapped_column()
    amount: Mapped[Decimal] = mapped_column(MONEY)


class CostEntry(Base):
    """A cost finance paid (费用支出), as on its voucher (凭证号). Never edited: a mistake is
    corrected by a reversing entry (`reverses_id`) of the opposite amount."""

    __tablename__ = "cost_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    category: Mapped[BudgetCategory] = mapped_column(enum_type(BudgetCategory))
    day: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    voucher_no: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("cost_entries.id"), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    department: Mapped[Department] = relationship(lazy="joined")
