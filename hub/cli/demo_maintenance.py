"""Maintenance in use for the demo estate: the sample plans' tasks of the last `DAYS` days made
as the dispatcher would have made them, given to `tech`, and done (on time, but one late),
leaving one overdue and the open windows to do, so the technician's phone and the console's
plans and tasks have something to show.

Seeded once, on a database with no maintenance task yet.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.camera import images
from hub.domain import ChecklistKind
from hub.services import uploads
from hub.services.maintenance import generate, tasks
from hub.services.uploads import Photo
from hub.storage.models import MaintenanceTask, MaintenanceTaskItem, User

DAYS = 60
GREY = (240, 320, 3)


def seed(session: Session, *, now: datetime, var_dir: Path) -> bool:
    """Seed the demo's tasks; False when the estate already has some."""
    if session.scalar(select(MaintenanceTask.id)):
        return False
    for days in range(DAYS, -1, -1):
        generate.generate(session, now=now - timedelta(days=days))
    named = {u.username: u for u in session.scalars(select(User))}
    admin, tech = named["admin"], named["tech"]
    made = session.scalars(select(MaintenanceTask).order_by(MaintenanceTask.due_by)).all()
    for task in made:
        tasks.assign(session, task.id, technician_id=tech.id, by=admin, now=task.created_at)
    past = [t for t in made if t.due_by <= now]
    overdue = past[-1] if past else None
    late = past[-2] if len(past) > 1 else None
    for task in past:
        if task is overdue:
            continue
        done_at = task.due_by + timedelta(days=1) if task is late else task.window_start
        _do(session, task, tech, done_at + timedelta(hours=2), var_dir)
    return True


def _do(session: Session, task: MaintenanceTask, tech: User, at: datetime, var_dir: Path) -> None:
    """The technician's visit: started, photographed where asked, every item passed."""
    tasks.start(session, task.id, by=tech, now=at - timedelta(hours=1))
    for item in task.items:
        if item.photo_required:
            photo = Photo(images.to_jpeg(np.full(GREY, 180, np.uint8)), _name())
            tasks.attach_photo(session, task.id, item.position, photo, by=tech, now=at)
            uploads.save(photo, var_dir=var_dir)
    results = [tasks.ItemResult(i.position, True, _within(i)) for i in task.items]
    tasks.complete(session, task.id, results, note="例行保养 Routine", by=tech, now=at)


def _within(item: MaintenanceTaskItem) -> Decimal | None:
    """A measured value inside the item's limits (their middle)."""
    if item.kind is not ChecklistKind.MEASURE:
        return None
    low, high = item.min_value, item.max_value
    if low is None or high is None:
        return low if low is not None else high if high is not None else Decimal(0)
    return (low + high) / 2


def _name() -> str:
    return secrets.token_hex(16) + ".jpg"
