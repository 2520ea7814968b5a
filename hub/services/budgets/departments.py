"""An estate's departments (部门) and who may prepare and read their budgets: the head
prepares their own department's, an admin any; finance and admins read all."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import STAFF_ROLES, DepartmentKind, Role
from hub.errors import Conflict, InvalidInput, NotFound
from hub.services import audit
from hub.services.budgets.labels import DEPARTMENT_LABELS
from hub.storage.models import Department, Site, User

READ_ALL = frozenset({Role.FINANCE, Role.ADMIN})


def may_prepare(user: User, department: Department) -> bool:
    return user.role is Role.ADMIN or department.head_id == user.id


def may_read(user: User, department: Department) -> bool:
    return user.role in READ_ALL or department.head_id == user.id


def departments(session: Session, user: User, site_id: int | None = None) -> list[Department]:
    """The departments `user` may read, by estate and kind."""
    query = select(Department).order_by(Department.site_id, Department.id)
    if site_id is not None:
        query = query.where(Department.site_id == site_id)
    if user.role not in READ_ALL:
        query = query.where(Department.head_id == user.id)
    return list(session.scalars(query))


def readable_or_raise(session: Session, department_id: int, user: User) -> Department:
    """The department, if `user` may read it; NotFound otherwise (as if it did not exist)."""
    department = session.get(Department, department_id)
    if department is None or not may_read(user, department):
        raise NotFound(f"no department {department_id}")
    return department


def create(
    session: Session,
    *,
    site_id: int,
    kind: DepartmentKind,
    head_id: int,
    name: str | None = None,
    by: User,
    now: datetime,
) -> Department:
    """A department of the estate, named after its kind unless `name` says otherwise."""
    if session.get(Site, site_id) is None:
        raise NotFound(f"no estate {site_id}")
    taken = select(Department.id).where(Department.site_id == site_id, Department.kind == kind)
    if session.scalar(taken) is not None:
        raise Conflict(f"the estate already has a {kind.value} department")
    head = _head_or_raise(session, head_id)
    department = Department(
        site_id=site_id, kind=kind, name=name or DEPARTMENT_LABELS[kind], head_id=head.id
    )
    session.add(department)
    session.flush()
    _audit(session, department, by, now, "department_create")
    return department


def set_head(
    session: Session, department_id: int, *, head_id: int, by: User, now: datetime
) -> Department:
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound(f"no department {department_id}")
    department.head = _head_or_raise(session, head_id)
    session.flush()
    _audit(session, department, by, now, "department_head")
    return department


def _head_or_raise(session: Session, user_id: int) -> User:
    """A head is an active staff account (an owner prepares no budget)."""
    user = session.get(User, user_id)
    if user is None or not user.active or user.role not in STAFF_ROLES:
        raise InvalidInput(f"head: user {user_id} is not an active staff account")
    return user


def _audit(session: Session, department: Department, by: User, now: datetime, action: str) -> None:
    audit.record(
        session,
        at=now,
        user_id=by.id,
        action=action,
        target=f"department:{department.id}",
        detail=f"{department.kind.value} head {department.head.username}",
    )
