"""Complaints and suggestions (投诉建议): intake from the owner's app, a phone call or the desk,
checked for completeness and routed to a suggested department by the SLA file's routes, then
each step of the one flow in `hub.complaint_states`, timed against the file's limits.

Who reads what: customer service and admins every complaint; an owner the ones they submitted
and those staff recorded for one of their homes (a call or a visit on their behalf). Another
owner's complaint is not found. Each step is logged on the timeline and sent on the live feed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from hub import events
from hub.complaint_states import (
    CLOSED_COMPLAINT_STATES,
    CONTACT_NAMES,
    DEPARTMENT_NAMES,
    ComplaintChannel,
    ComplaintKind,
    ComplaintStatus,
    ContactMethod,
    Department,
    check_complaint_move,
)
from hub.domain import Role
from hub.errors import InvalidInput, InvalidTransition, NotFound, TooLarge
from hub.services import outbox, sla_policy
from hub.services.complaint_views import ComplaintOut
from hub.services.uploads import Photo
from hub.services.users import owner_home_ids
from hub.storage.models import (
    Complaint,
    ComplaintContact,
    ComplaintEvent,
    ComplaintPhoto,
    Home,
    HomeOwnership,
    Owner,
    User,
)

STAFF_READERS = frozenset({Role.CUSTOMER_SERVICE, Role.ADMIN})
CLOCK_SKEW = timedelta(minutes=2)  # how far ahead a desk's clock may be
MAX_PHOTOS = 4  # photos per complaint
MAX_VIDEOS = 1  # of those, short videos
CLOSED_LISTED = 200  # the newest closed ones a list shows after every open one
MIN_DESCRIPTION = 5  # characters: "电梯坏了" is too little to act on, "3号电梯坏了" is not


def _text(name: str, value: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInput(f"{name}: must not be empty", code="complaint_text_missing")
    return cleaned


def _complete(
    session: Session, *, home: Home, description: str, contact: str | None, owner: User | None
) -> tuple[str, str | None]:
    """The description and contact of a complete complaint (检查完整性): enough words to act on,
    and someone to call back: the contact given, the submitting owner, or an owner on file for
    the home."""
    text = _text("description", description)
    if len(text) < MIN_DESCRIPTION:
        raise InvalidInput(
            f"description: at least {MIN_DESCRIPTION} characters", code="complaint_too_short"
        )
    reach = contact.strip() if contact and contact.strip() else None
    if reach is None and owner is None and not _home_has_phone(session, home):
        raise InvalidInput(
            "contact: nobody to call back; the home has no owner with a phone",
            code="complaint_no_contact",
        )
    return text, reach


def _home_has_phone(session: Session, home: Home) -> bool:
    phones = session.scalars(
        select(Owner.phone)
        .join(HomeOwnership, HomeOwnership.owner_id == Owner.id)
        .where(HomeOwnership.home_id == home.id)
    )
    return any(phones)


def _home_or_raise(session: Session, home_id: int) -> Home:
    home = session.get(Home, home_id)
    if home is None:
        raise NotFound(f"home {home_id} not found")
    return home


def _record(
    session: Session,
    *,
    home: Home,
    kind: ComplaintKind,
    description: str,
    contact: str | None,
    channel: ComplaintChannel,
    owner: User | None,
    by: User | None,
    call_at: datetime | None,
    now: datetime,
) -> Complaint:
    text, reach = _complete(
        session, home=home, description=description, contact=contact, owner=owner
    )
    complaint = Complaint(
        site_id=home.building.site_id,
        home_id=home.id,
        owner_id=owner.id if owner else None,
        recorded_by_id=by.id if by else None,
        channel=channel,
        call_at=call_at,
        kind=kind,
        description=text,
        contact=reach,
        suggested_department=sla_policy.current().complaints.department_for(kind, text),
        status=ComplaintStatus.RECORDED,
        recorded_at=now,
        reopen_count=0,
    )
    session.add(complaint)
    session.flush()
    note = {
        ComplaintChannel.APP: "业主提交 submitted in the app",
        ComplaintChannel.PHONE: f"电话记录 phoned in at {call_at:%Y-%m-%d %H:%M} UTC"
        if call_at
        else "",
        ComplaintChannel.WALK_IN: "来访记录 walk-in at the service desk",
    }[channel]
    _log(session, complaint, by=by, now=now, note=note)
    events.emit(session, "complaint.recorded", complaint_view(complaint, now=now))
    return complaint


def submit(
    session: Session,
    *,
    owner: User,
    home_id: int,
    kind: ComplaintKind,
    description: str,
    contact: str | None,
    now: datetime,
) -> Complaint:
    """An owner's complaint, suggestion or praise for one of their own homes (the app)."""
    if home_id not in owner_home_ids(session, owner):
        raise NotFound(f"home {home_id} not found")
    return _record(
        session,
        home=_home_or_raise(session, home_id),
        kind=kind,
        description=description,
        contact=contact,
        channel=ComplaintChannel.APP,
        owner=owner,
        by=None,
        call_at=None,
        now=now,
    )


def record_for_owner(
    session: Session,
    *,
    by: User,
    home_id: int,
    channel: ComplaintChannel,
    kind: ComplaintKind,
    description: str,
    contact: str | None,
    call_at: datetime | None,
    now: datetime,
) -> Complaint:
    """Customer service records a phoned-in or walk-in complaint on an owner's behalf; a
    phone-in keeps the time of the call (it cannot be in the future)."""
    if channel is ComplaintChannel.APP:
        raise InvalidInput("channel: staff record phone or walk_in", code="complaint_channel")
    if channel is ComplaintChannel.PHONE and (call_at is None or call_at > now + CLOCK_SKEW):
        raise InvalidInput(
            "call_at: a phone-in needs the time of the call, not in the future",
            code="complaint_call_time",
        )
    if call_at is not None:
        call_at = min(call_at, now)  # a desk PC's clock a little ahead is still "just now"
    return _record(
        session,
        home=_home_or_raise(session, home_id),
        kind=kind,
        description=description,
        contact=contact,
        channel=channel,
        owner=None,
        by=by,
        call_at=call_at if channel is ComplaintChannel.PHONE else None,
        now=now,
    )


def _readable_by(session: Session, user: User) -> ColumnElement[bool] | None:
    """Which complaints `user` may read; None for customer service and admins (all)."""
    if user.role in STAFF_READERS:
        return None
    if user.role is Role.OWNER:
        homes = owner_home_ids(session, user)
        on_behalf = and_(Complaint.owner_id.is_(None), Complaint.home_id.in_(homes))
        return or_(Complaint.owner_id == user.id, on_behalf)
    return Complaint.id.is_(None)  # nobody else


def get_visible_or_raise(session: Session, complaint_id: int, user: User) -> Complaint:
    """The complaint if `user` may read it, by the same rule as their list."""
    query = select(Complaint).where(Complaint.id == complaint_id)
    readable = _readable_by(session, user)
    if readable is not None:
        query = query.where(readable)
    complaint = session.scalars(query).unique().one_or_none()
    if complaint is None:
        raise NotFound(f"complaint {complaint_id} not found")
    return complaint


def list_for(
    session: Session, user: User, *, now: datetime, department: Department | None = None
) -> list[Complaint]:
    """Open ones first, the earliest running deadline (review, then contact) first; then the
    closed ones, newest first. A department's queue: those assigned to it, and those not yet
    assigned that the routes suggest for it."""
    query = select(Complaint).order_by(Complaint.id.desc())
    if department is not None:
        query = query.where(
            func.coalesce(Complaint.department, Complaint.suggested_department) == department
        )
    readable = _readable_by(session, user)
    if readable is not None:
        query = query.where(readable)
    is_closed = Complaint.status.in_(CLOSED_COMPLAINT_STATES)
    found = list(session.scalars(query.where(~is_closed)).unique())  # every open one
    found += session.scalars(query.where(is_closed).limit(CLOSED_LISTED)).unique()
    view = {c.id: complaint_view_model(c, now=now) for c in found}

    def rank(complaint: Complaint) -> tuple[int, float, int]:
        if complaint.status in CLOSED_COMPLAINT_STATES:
            return (2, 0.0, -complaint.id)
        out = view[complaint.id]
        running = [d.due for d in (out.review, out.contact_owner) if d.done_at is None]
        due = min(running).timestamp() if running else float("inf")
        return (0 if due <= now.timestamp() else 1, due, -complaint.id)

    return sorted(found, key=rank)


def attach_photos(
    session: Session, complaint_id: int, photos: Sequence[Photo], *, by: User, now: datetime
) -> Complaint:
    """Photos of what the complaint is about (checked, not yet written), at most `MAX_PHOTOS`
    in all and `MAX_VIDEOS` of them videos, while it is open; an owner's count against their
    storage quota."""
    complaint = get_visible_or_raise(session, complaint_id, by)
    if complaint.status in CLOSED_COMPLAINT_STATES:
        raise InvalidTransition(
            f"a complaint that is {complaint.status.value} takes no more photos",
            code="complaint_out_of_order",
        )
    if len(complaint.photos) + len(photos) > MAX_PHOTOS:
        raise TooLarge(f"photos: at most {MAX_PHOTOS} per complaint; 最多 {MAX_PHOTOS} 张照片")
    videos = sum(p.content_type.startswith("video/") for p in complaint.photos)
    if videos + sum(p.video for p in photos) > MAX_VIDEOS:
        raise TooLarge(
            f"photos: at most {MAX_VIDEOS} video per complaint; 最多 {MAX_VIDEOS} 段视频",
            code="too_many_videos",
        )
    for photo in photos:
        complaint.photos.append(
            ComplaintPhoto(
                name=photo.name,
                content_type=photo.content_type,
                size=len(photo.data),
                uploaded_by_id=by.id,
                at=now,
            )
        )
    session.flush()
    _emit_updated(session, complaint, now=now)
    return complaint


def review(
    session: Session, complaint_id: int, *, category: str, by: User, now: datetime
) -> Complaint:
    """Customer service checks it is complete and in scope and classifies it (审核分类); the
    category may name a route's keyword, so the suggested department is routed again."""
    text = _text("category", category)

    def classify(complaint: Complaint) -> None:
        complaint.category, complaint.reviewed_at = text, now
        routes = sla_policy.current().complaints
        complaint.suggested_department = routes.department_for(
            complaint.kind, f"{text} {complaint.description}"
        )

    note = f"分类 classified: {text}"
    return _move(
        session, complaint_id, ComplaintStatus.REVIEWED, by=by, now=now, note=note, apply=classify
    )


def assign(
    session: Session, complaint_id: int, *, department: Department, by: User, now: datetime
) -> Complaint:
    """The department that handles it (分配责任部门)."""

    def to_department(complaint: Complaint) -> None:
        complaint.department, complaint.assigned_at = department, now

    note = f"分配给 assigned to {DEPARTMENT_NAMES[department]}"
    return _move(
        session,
        complaint_id,
        ComplaintStatus.ASSIGNED,
        by=by,
        now=now,
        note=note,
        apply=to_department,
    )


def log_contact(
    session: Session,
    complaint_id: int,
    *,
    method: ContactMethod,
    summary: str,
    at: datetime | None,
    by: User,
    now: datetime,
) -> Complaint:
    """A call or visit with the owner. The first one, once a department is assigned, is the
    step that meets or misses the 24-hour limit; later ones (while handling) are logged only."""
    complaint = get_visible_or_raise(session, complaint_id, by)
    when = at or now
    if when > now or when < complaint.recorded_at:
        raise InvalidInput("at: between the recording and now", code="complaint_contact_time")
    summary = _text("summary", summary)
    if complaint.status not in (
        ComplaintStatus.ASSIGNED,
        ComplaintStatus.CONTACTED,
        ComplaintStatus.REOPENED,
    ):
        check_complaint_move(complaint.status, ComplaintStatus.CONTACTED)  # raises
    session.add(
        ComplaintContact(
            complaint_id=complaint.id,
            method=method,
            by_id=by.id,
            at=when,
            logged_at=now,
            summary=summary,
        )
    )
    if complaint.status is ComplaintStatus.ASSIGNED:

        def reached(complaint: Complaint) -> None:
            complaint.contacted_at = when

        note = f"{CONTACT_NAMES[method]}: {summary}"
        return _move(
            session,
            complaint_id,
            ComplaintStatus.CONTACTED,
            by=by,
            now=now,
            note=note,
            apply=reached,
        )
    session.flush()
    _emit_updated(session, complaint, now=now)
    return complaint


def record_result(
    session: Session, complaint_id: int, *, result: str, by: User, now: datetime
) -> Complaint:
    """What was done (处理结果); the owner is asked to confirm it."""
    text = _text("result", result)

    def handled(complaint: Complaint) -> None:
        complaint.result, complaint.handled_at = text, now

    complaint = _move(
        session, complaint_id, ComplaintStatus.HANDLED, by=by, now=now, note=text, apply=handled
    )
    _tell_owner(session, complaint, "投诉处理结果 Your complaint was handled", text, now=now)
    return complaint


def close_out_of_scope(
    session: Session, complaint_id: int, *, reason: str, by: User, now: datetime
) -> Complaint:
    """Not the company's to handle (e.g. municipal supply): closed with a reason the owner sees.
    Deciding so is the review (its 1-hour limit is met or missed now); nobody is contacted."""
    text = _text("reason", reason)

    def outside(complaint: Complaint) -> None:
        complaint.out_of_scope_reason, complaint.closed_at = text, now
        complaint.reviewed_at = complaint.reviewed_at or now  # the scope check is the review

    complaint = _move(
        session,
        complaint_id,
        ComplaintStatus.OUT_OF_SCOPE,
        by=by,
        now=now,
        note=text,
        apply=outside,
    )
    _tell_owner(session, complaint, "不属物业服务范围 Outside our scope", text, now=now)
    return complaint


def confirm(
    session: Session,
    complaint_id: int,
    *,
    satisfaction: int | None = None,
    by: User,
    now: datetime,
) -> Complaint:
    """The owner accepts the result (or tells customer service so): closed, with how satisfied
    they are (1-5) if they said, which the analysis averages per department."""
    if satisfaction is not None and satisfaction not in range(1, 6):
        raise InvalidInput("satisfaction is 1 to 5", code="complaint_satisfaction_range")

    def closed(complaint: Complaint) -> None:
        complaint.closed_at, complaint.satisfaction = now, satisfaction

    note = "业主确认 confirmed" if satisfaction is None else f"业主确认 confirmed, {satisfaction}/5"
    return _move(
        session, complaint_id, ComplaintStatus.CLOSED, by=by, now=now, note=note, apply=closed
    )


def reopen(
    session: Session, complaint_id: int, *, reason: str, by: User, now: datetime
) -> Complaint:
    """The owner is not satisfied: back to the department, the reason kept and counted."""
    text = _text("reason", reason)

    def reopened(complaint: Complaint) -> None:
        complaint.reopen_count += 1
        complaint.reopen_reason = text

    return _move(
        session, complaint_id, ComplaintStatus.REOPENED, by=by, now=now, note=text, apply=reopened
    )


def _tell_owner(
    session: Session, complaint: Complaint, title: str, body: str, *, now: datetime
) -> None:
    """An in-app message to the owner who submitted, or to the home's owners for a complaint
    staff recorded on their behalf."""
    query = select(User.username)
    if complaint.owner_id is not None:
        query = query.where(User.id == complaint.owner_id)
    else:
        query = (
            query.join(Owner, Owner.user_id == User.id)
            .join(HomeOwnership, HomeOwnership.owner_id == Owner.id)
            .where(HomeOwnership.home_id == complaint.home_id)
        )
    usernames = tuple(session.scalars(query))
    if usernames:
        outbox.notify(
            session,
            site_id=complaint.site_id,
            recipients=outbox.Recipients(usernames=usernames),
            title=title,
            body=body,
            source="complaint",
            now=now,
        )


def _move(
    session: Session,
    complaint_id: int,
    target: ComplaintStatus,
    *,
    by: User,
    now: datetime,
    note: str = "",
    apply: Callable[[Complaint], None] | None = None,
) -> Complaint:
    """One step: checked against the table, `apply` sets the step's fields, then the timeline
    entry and the live event (which so carries them)."""
    complaint = get_visible_or_raise(session, complaint_id, by)
    check_complaint_move(complaint.status, target)
    complaint.status = target
    if apply is not None:
        apply(complaint)
    session.flush()
    _log(session, complaint, by=by, now=now, note=note)
    _emit_updated(session, complaint, now=now)
    return complaint


def _emit_updated(session: Session, complaint: Complaint, *, now: datetime) -> None:
    events.emit(session, "complaint.updated", complaint_view(complaint, now=now))


def _log(
    session: Session, complaint: Complaint, *, by: User | None, now: datetime, note: str
) -> None:
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            status=complaint.status,
            at=now,
            by_id=by.id if by else None,
            note=note,
        )
    )


def timeline(session: Session, complaint: Complaint) -> list[ComplaintEvent]:
    return list(
        session.scalars(
            select(ComplaintEvent)
            .where(ComplaintEvent.complaint_id == complaint.id)
            .order_by(ComplaintEvent.id)
        )
    )


def contacts(session: Session, complaint: Complaint) -> list[ComplaintContact]:
    return list(
        session.scalars(
            select(ComplaintContact)
            .where(ComplaintContact.complaint_id == complaint.id)
            .order_by(ComplaintContact.at, ComplaintContact.id)
        )
    )


def contact_in_full(complaint: Complaint, reader: User) -> bool:
    """Customer service (whose duty is to call back) and the owner who gave it."""
    return reader.role is Role.CUSTOMER_SERVICE or complaint.owner_id == reader.id


def complaint_view_model(complaint: Complaint, *, now: datetime) -> ComplaintOut:
    return ComplaintOut.of(complaint, now=now)


def complaint_view(complaint: Complaint, *, now: datetime) -> dict[str, Any]:
    """The live feed's JSON of a complaint: `ComplaintOut` with the contact masked."""
    return complaint_view_model(complaint, now=now).model_dump(mode="json")
