"""A department's yearly budget through its steps: the head (or an admin) drafts it by
category and month and submits it; finance approves it or returns it with a comment. An approved
budget is read-only: a change is its next version, a copy drafted and approved again, which
then supersedes it. Every step is audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import BudgetCategory, BudgetStatus, Role
from hub.errors import Conflict, InvalidInput, InvalidTransition, NotFound, PermissionDenied
from hub.services import audit
from hub.services.budgets import departments
from hub.services.budgets.departments import may_prepare, may_read
from hub.services.tariffs import CENT
from hub.storage.models import Budget, BudgetLine, Department, User

MONTHS = 12
EDITABLE = frozenset({BudgetStatus.DRAFT, BudgetStatus.RETURNED})
MOVES = {  # action -> (the statuses it starts from, where it leads)
    "budget_submit": (EDITABLE, BudgetStatus.SUBMITTED),
    "budget_approve": (frozenset({BudgetStatus.SUBMITTED}), BudgetStatus.APPROVED),
    "budget_return": (frozenset({BudgetStatus.SUBMITTED}), BudgetStatus.RETURNED),
}
Plan = Mapping[BudgetCategory, Sequence[Decimal]]  # category -> the 12 months' amounts


def spread(yearly: Decimal) -> list[Decimal]:
    """A yearly amount as 12 months to the fen that add up to it exactly: the fen left over
    go one each to the first months (1,000.00 is 4 x 83.34 and 8 x 83.33)."""
    if yearly < 0:
        raise InvalidInput("a yearly amount may not be negative")
    month = (yearly / MONTHS).quantize(CENT, rounding=ROUND_DOWN)
    extra = int((yearly - month * MONTHS) / CENT)
    return [month + CENT if m < extra else month for m in range(MONTHS)]


def budgets(
    session: Session, user: User, *, year: int | None = None, site_id: int | None = None
) -> list[Budget]:
    """Every version `user` may read, newest year first, by department and version."""
    query = select(Budget).join(Department, Department.id == Budget.department_id)
    if year is not None:
        query = query.where(Budget.year == year)
    if site_id is not None:
        query = query.where(Department.site_id == site_id)
    found = session.scalars(query.order_by(Budget.year.desc(), Department.id, Budget.version))
    return [b for b in found if may_read(user, b.department)]


def readable_or_raise(session: Session, budget_id: int, user: User) -> Budget:
    budget = session.get(Budget, budget_id)
    if budget is None or not may_read(user, budget.department):
        raise NotFound(f"no budget {budget_id}")
    return budget


def draft(session: Session, *, department_id: int, year: int, by: User, now: datetime) -> Budget:
    """The department's first budget for the year (no lines yet) or, after an approved one,
    its next version starting as a copy of it. One version at a time is in the works."""
    department = departments.readable_or_raise(session, department_id, by)
    _prepare_or_raise(by, department)
    latest = session.scalars(
        select(Budget)
        .where(Budget.department_id == department.id, Budget.year == year)
        .order_by(Budget.version.desc())
        .limit(1)
    ).one_or_none()
    if latest is not None and latest.status is not BudgetStatus.APPROVED:
        raise Conflict(f"version {latest.version} of {year} is {latest.status.value}: edit it")
    budget = Budget(
        department_id=department.id,
        year=year,
        version=1 if latest is None else latest.version + 1,
        status=BudgetStatus.DRAFT,
        created_at=now,
        created_by_id=by.id,
        comment="",
    )
    if latest is not None:
        budget.lines = [
            BudgetLine(category=line.category, month=line.month, amount=line.amount)
            for line in latest.lines
        ]
    session.add(budget)
    session.flush()
    _audit(session, budget, by, now, "budget_draft", f"{year} v{budget.version}")
    return budget


def set_lines(session: Session, budget_id: int, plan: Plan, *, by: User, now: datetime) -> Budget:
    """Replace the draft's lines with `plan`; a month of zero keeps no line."""
    budget = readable_or_raise(session, budget_id, by)
    _prepare_or_raise(by, budget.department)
    if budget.status not in EDITABLE:
        raise InvalidTransition(f"a {budget.status.value} budget is read-only")
    budget.lines = []
    session.flush()  # the old lines go first: the new ones take their (category, month)
    budget.lines = [
        BudgetLine(category=category, month=month, amount=amount)
        for category, amounts in plan.items()
        for month, amount in enumerate(_months_or_raise(category, amounts), start=1)
        if amount
    ]
    session.flush()
    _audit(session, budget, by, now, "budget_lines", f"total {total(budget)}")
    return budget


def submit(session: Session, budget_id: int, *, by: User, now: datetime) -> Budget:
    budget = readable_or_raise(session, budget_id, by)
    _prepare_or_raise(by, budget.department)
    _move(budget, "budget_submit")
    budget.submitted_at = now
    _audit(session, budget, by, now, "budget_submit", f"total {total(budget)}")
    return budget


def approve(session: Session, budget_id: int, *, by: User, now: datetime) -> Budget:
    """Finance approves; the version approved before it (if any) is superseded."""
    budget = _decidable_or_raise(session, budget_id, by)
    _move(budget, "budget_approve")
    _decided(budget, by, now, "")
    earlier = select(Budget).where(
        Budget.department_id == budget.department_id,
        Budget.year == budget.year,
        Budget.status == BudgetStatus.APPROVED,
        Budget.id != budget.id,
    )
    for old in session.scalars(earlier):
        old.status = BudgetStatus.SUPERSEDED
    _audit(session, budget, by, now, "budget_approve", f"total {total(budget)}")
    return budget


def return_(session: Session, budget_id: int, *, comment: str, by: User, now: datetime) -> Budget:
    """Finance sends it back to the head with what to change."""
    if not comment.strip():
        raise InvalidInput("comment: say what to change")
    budget = _decidable_or_raise(session, budget_id, by)
    _move(budget, "budget_return")
    _decided(budget, by, now, comment.strip())
    _audit(session, budget, by, now, "budget_return", comment.strip())
    return budget


def total(budget: Budget) -> Decimal:
    return sum((line.amount for line in budget.lines), Decimal("0.00"))


def _months_or_raise(category: BudgetCategory, amounts: Sequence[Decimal]) -> Sequence[Decimal]:
    if len(amounts) != MONTHS:
        raise InvalidInput(f"{category.value}: give 12 months, not {len(amounts)}")
    for amount in amounts:
        if amount < 0 or amount != amount.quantize(CENT):
            raise InvalidInput(f"{category.value}: {amount} is not an amount to the fen")
    return amounts


def _prepare_or_raise(user: User, department: Department) -> None:
    if not may_prepare(user, department):
        raise PermissionDenied("only the department's head or an admin prepares its budget")


def _decidable_or_raise(session: Session, budget_id: int, by: User) -> Budget:
    """Finance decides, but not on a budget they submitted themselves (four eyes)."""
    budget = readable_or_raise(session, budget_id, by)
    if by.role is not Role.FINANCE:
        raise PermissionDenied("finance approves or returns budgets")
    if budget.created_by_id == by.id:
        raise PermissionDenied("a budget is approved by someone other than who drafted it")
    return budget


def _move(budget: Budget, action: str) -> None:
    starts, to = MOVES[action]
    if budget.status not in starts:
        raise InvalidTransition(f"a {budget.status.value} budget cannot go to {to.value}")
    budget.status = to


def _decided(budget: Budget, by: User, now: datetime, comment: str) -> None:
    budget.decided_at = now
    budget.decided_by_id = by.id
    budget.comment = comment


def _audit(
    session: Session, budget: Budget, by: User, now: datetime, action: str, detail: str
) -> None:
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action=action,
        target=f"budget:{budget.id}",
        detail=f"{budget.department.kind.value} {budget.year} v{budget.version}: {detail}",
    )
