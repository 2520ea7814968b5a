"""Preventive maintenance (保养/巡检计划): plans (admins), tasks (admins and operators see all,
a technician their own) and the technician's steps: start, item photos, complete with results."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import IdField, ObjectId, QueryId
from api.routers.devices import decimal_text
from api.routers.work_orders import stored_file
from hub.domain import ChecklistKind, MaintenanceTaskStatus, Role
from hub.errors import NotFound
from hub.services import uploads
from hub.services.maintenance import plans, tasks
from hub.services.maintenance.plans import PlanData, Quantity
from hub.storage.models import MaintenancePlan, MaintenanceTask, MaintenanceTaskItem, User

router = APIRouter(prefix="/maintenance", tags=["maintenance"])

Admin = Annotated[User, Depends(require_role(Role.ADMIN))]
Supervisor = Annotated[User, Depends(require_role(Role.ADMIN, Role.OPERATOR))]
Reader = Annotated[User, Depends(require_role(Role.ADMIN, Role.OPERATOR, Role.TECHNICIAN))]
Technician = Annotated[User, Depends(require_role(Role.TECHNICIAN))]
Position = Annotated[int, Path(ge=1, le=50, description="the item's place on the checklist")]


class MaintenancePlanIn(PlanData):
    site_id: IdField


class MaintenancePlanOut(PlanData):
    id: int
    site_id: int
    asset_code: str | None = Field(description="the asset's code; null: a plan for a class")
    created_at: datetime
    updated_at: datetime


class TaskItemOut(BaseModel):
    position: int
    label: str
    kind: ChecklistKind
    unit: str
    min: Decimal | None
    max: Decimal | None
    photo_required: bool
    passed: bool | None = Field(description="null until checked; a value outside its limits fails")
    value: Decimal | None
    note: str
    has_photo: bool
    work_order_id: int | None = Field(description="the fault work order a failed item opened")
    checked_at: datetime | None


class TaskOut(BaseModel):
    id: int
    site_id: int
    plan_id: int
    plan_code: str
    asset_id: int
    asset_code: str
    asset_name: str
    title: str
    sequence: int
    window_start: datetime
    due_by: datetime
    status: MaintenanceTaskStatus
    overdue: bool = Field(description="open past due_by")
    done_late: bool = Field(description="done after due_by")
    assignee_id: int | None
    assignee_name: str | None
    started_at: datetime | None
    done_at: datetime | None
    reminded_at: datetime | None
    escalated_at: datetime | None
    failed_items: int
    note: str


class TaskDetail(TaskOut):
    items: list[TaskItemOut]


class ItemResultIn(BaseModel):
    position: int = Field(ge=1, le=50)
    passed: bool | None = Field(default=None, description="pass/fail items")
    value: Quantity | None = Field(default=None, description="measured items, in the item's unit")
    note: str = Field(default="", max_length=500)


class TaskCompletionIn(BaseModel):
    results: list[ItemResultIn] = Field(max_length=50)
    note: str = Field(default="", max_length=2000)


class TaskAssignIn(BaseModel):
    technician_id: IdField


class TaskCancelIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200)


def _plan_out(plan: MaintenancePlan) -> MaintenancePlanOut:
    fields = plans.data_of(plan).model_dump() | {"usage_every": _exact(plan.usage_every)}
    return MaintenancePlanOut(
        **fields,
        id=plan.id,
        site_id=plan.site_id,
        asset_code=plan.asset.code if plan.asset else None,
        created_at=plan.created_at,
        updated_at=plan.updated_at,
    )


def _fields(task: MaintenanceTask, now: datetime) -> dict[str, object]:
    return {
        "id": task.id,
        "site_id": task.site_id,
        "plan_id": task.plan_id,
        "plan_code": task.plan.code,
        "asset_id": task.asset_id,
        "asset_code": task.asset.code,
        "asset_name": task.asset.name,
        "title": task.title,
        "sequence": task.sequence,
        "window_start": task.window_start,
        "due_by": task.due_by,
        "status": task.status,
        "overdue": tasks.overdue(task, now),
        "done_late": tasks.done_late(task),
        "assignee_id": task.assignee_id,
        "assignee_name": task.assignee.full_name if task.assignee else None,
        "started_at": task.started_at,
        "done_at": task.done_at,
        "reminded_at": task.reminded_at,
        "escalated_at": task.escalated_at,
        "failed_items": sum(tasks.item_failed(i) for i in task.items),
        "note": task.note,
    }


def _exact(value: Decimal | None) -> Decimal | None:
    """Without the storage's trailing zeros: 0.500000 is 0.5."""
    return None if value is None else Decimal(decimal_text(value))


def _item_out(item: MaintenanceTaskItem) -> TaskItemOut:
    return TaskItemOut(
        position=item.position,
        label=item.label,
        kind=item.kind,
        unit=item.unit,
        min=_exact(item.min_value),
        max=_exact(item.max_value),
        photo_required=item.photo_required,
        passed=item.passed,
        value=_exact(item.value),
        note=item.note,
        has_photo=item.photo_name is not None,
        work_order_id=item.work_order_id,
        checked_at=item.checked_at,
    )


def _detail(task: MaintenanceTask, now: datetime) -> TaskDetail:
    return TaskDetail(**_fields(task, now), items=[_item_out(i) for i in task.items])


@router.get("/plans")
def list_plans(
    session: SessionDep, _: Supervisor, site_id: QueryId = None
) -> list[MaintenancePlanOut]:
    """The estate's plans by code."""
    return [_plan_out(p) for p in plans.list_plans(session, site_id=site_id)]


@router.post("/plans", status_code=201)
def create_plan(
    body: MaintenancePlanIn, session: SessionDep, context: ContextDep, user: Admin
) -> MaintenancePlanOut:
    """A plan for one asset or every asset of a class; its first tasks come on the next pass."""
    data = PlanData.model_validate(body.model_dump(exclude={"site_id"}))
    plan = plans.create(session, site_id=body.site_id, data=data, by=user, now=context.clock.now())
    return _plan_out(plan)


@router.get("/plans/{plan_id}")
def get_plan(plan_id: ObjectId, session: SessionDep, _: Supervisor) -> MaintenancePlanOut:
    return _plan_out(plans.get_or_raise(session, plan_id))


@router.put("/plans/{plan_id}")
def update_plan(
    plan_id: ObjectId, body: PlanData, session: SessionDep, context: ContextDep, user: Admin
) -> MaintenancePlanOut:
    """The plan replaced; tasks already made keep their window and checklist."""
    plan = plans.get_or_raise(session, plan_id)
    return _plan_out(plans.update(session, plan, body, by=user, now=context.clock.now()))


@router.delete("/plans/{plan_id}", status_code=204, response_class=Response)
def delete_plan(plan_id: ObjectId, session: SessionDep, context: ContextDep, user: Admin) -> None:
    """Only a plan without tasks; deactivate one that has them (PUT with active false)."""
    plans.delete(session, plans.get_or_raise(session, plan_id), by=user, now=context.clock.now())


@router.get("/tasks")
def list_tasks(
    session: SessionDep,
    context: ContextDep,
    user: Reader,
    site_id: QueryId = None,
    asset_id: QueryId = None,
    plan_id: QueryId = None,
    status: MaintenanceTaskStatus | None = None,
    overdue: Annotated[bool | None, Query(description="true: open past due_by")] = None,
) -> list[TaskOut]:
    """Soonest due first: every task for admins and operators, a technician's own for them."""
    now = context.clock.now()
    where = tasks.TaskFilter(site_id, asset_id, plan_id, status, overdue)
    return [TaskOut(**_fields(t, now)) for t in tasks.list_for(session, user, where, now=now)]


@router.get("/tasks/{task_id}")
def get_task(
    task_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader
) -> TaskDetail:
    """The task with its checklist and results."""
    return _detail(tasks.get_visible_or_raise(session, task_id, user), context.clock.now())


@router.post("/tasks/{task_id}/start")
def start_task(
    task_id: ObjectId, session: SessionDep, context: ContextDep, user: Technician
) -> TaskDetail:
    now = context.clock.now()
    return _detail(tasks.start(session, task_id, by=user, now=now), now)


@router.post("/tasks/{task_id}/items/{position}/photo")
def upload_item_photo(
    task_id: ObjectId,
    position: Position,
    session: SessionDep,
    context: ContextDep,
    user: Technician,
    photo: Annotated[UploadFile, File(description="JPEG or PNG, kept re-encoded as JPEG")],
) -> TaskDetail:
    """The item's photo (a new one replaces it) while the task is in progress."""
    checked = uploads.read_photo(photo.file, settings=context.settings)
    now = context.clock.now()
    tasks.attach_photo(session, task_id, position, checked, by=user, now=now)
    uploads.save(checked, var_dir=context.settings.var_dir)  # only once the step is known good
    return _detail(tasks.get_visible_or_raise(session, task_id, user), now)


@router.get("/tasks/{task_id}/items/{position}/photo", response_class=FileResponse)
def get_item_photo(
    task_id: ObjectId, position: Position, session: SessionDep, context: ContextDep, user: Reader
) -> FileResponse:
    task = tasks.get_visible_or_raise(session, task_id, user)
    item = next((i for i in task.items if i.position == position), None)
    if item is None or item.photo_name is None:
        raise NotFound(f"maintenance task {task_id} has no photo for item {position}")
    return stored_file(item.photo_name, var_dir=context.settings.var_dir)


@router.post("/tasks/{task_id}/complete")
def complete_task(
    task_id: ObjectId,
    body: TaskCompletionIn,
    session: SessionDep,
    context: ContextDep,
    user: Technician,
) -> TaskDetail:
    """Done, with a result for every item; each failed item opens its fault work order."""
    now = context.clock.now()
    results = [tasks.ItemResult(r.position, r.passed, r.value, r.note) for r in body.results]
    task = tasks.complete(session, task_id, results, note=body.note, by=user, now=now)
    return _detail(task, now)


@router.post("/tasks/{task_id}/assign")
def assign_task(
    task_id: ObjectId,
    body: TaskAssignIn,
    session: SessionDep,
    context: ContextDep,
    user: Supervisor,
) -> TaskDetail:
    """Give an open task to a technician (the roster had no one on duty, or someone else)."""
    now = context.clock.now()
    task = tasks.assign(session, task_id, technician_id=body.technician_id, by=user, now=now)
    return _detail(task, now)


@router.post("/tasks/{task_id}/cancel")
def cancel_task(
    task_id: ObjectId, body: TaskCancelIn, session: SessionDep, context: ContextDep, user: Admin
) -> TaskDetail:
    now = context.clock.now()
    return _detail(tasks.cancel(session, task_id, reason=body.reason, by=user, now=now), now)
