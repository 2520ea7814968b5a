"""Who a notice reaches: the homes it is addressed to and their owners' accounts.

An emergency notice is pushed to each of those owners when it is published: an inbox message
and, where the owner left a phone number, an SMS (both through the outbox, so a crash never
loses or doubles one). Staff read the receipts: every addressed owner, and when each opened it.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from hub.services import outbox
from hub.services.work_order_views import home_label
from hub.storage.models import (
    Building,
    Home,
    HomeOwnership,
    Notice,
    NoticeBuilding,
    NoticeHome,
    NoticeRead,
    Owner,
    User,
)

SOURCE = "notice"
_SMS_HEAD = "【紧急通知 Emergency】"
_SMS_TAIL = " 详见业主端 See the owner app"


class ReceiptOut(BaseModel):
    home_id: int
    home: str = Field(description="building/home, e.g. B1/101")
    owner: str = Field(description="the owner's name")
    read_at: datetime | None = Field(description="first opened; null: not yet")


class ReceiptsOut(BaseModel):
    notice_id: int
    addressed: int = Field(description="owner accounts the notice is for (one per home each)")
    read: int = Field(description="of those, how many opened it")
    receipts: list[ReceiptOut] = Field(description="unread first, then by home")


def _addressed_homes(notice: Notice) -> Select[int]:
    query = select(Home.id).join(Building, Building.id == Home.building_id)
    to_homes = select(NoticeHome.home_id).where(NoticeHome.notice_id == notice.id)
    to_buildings = select(NoticeBuilding.building_id).where(NoticeBuilding.notice_id == notice.id)
    in_buildings: ColumnElement[bool] = Home.building_id.in_(to_buildings)
    if notice.unit:
        in_buildings = in_buildings & (Home.unit == notice.unit)
    return query.where(
        Building.site_id == notice.site_id,
        Home.id.in_(to_homes) | in_buildings | (~to_homes.exists() & ~to_buildings.exists()),
    )


def addressed_owners(session: Session, notice: Notice) -> list[tuple[Home, Owner, User]]:
    """Each addressed home with each of its owners' active accounts, by home."""
    rows = session.execute(
        select(Home, Owner, User)
        .join(HomeOwnership, HomeOwnership.home_id == Home.id)
        .join(Owner, Owner.id == HomeOwnership.owner_id)
        .join(User, User.id == Owner.user_id)
        .where(Home.id.in_(_addressed_homes(notice)), User.active.is_(True))
        .order_by(Home.id, User.id)
    ).all()
    return [(home, owner, user) for home, owner, user in rows]


def push_emergency(session: Session, notice: Notice, *, now: datetime) -> int:
    """Inbox messages and SMS to every addressed owner; returns how many owners it reached."""
    reached: dict[int, tuple[Owner, User]] = {}
    for _, owner, user in addressed_owners(session, notice):
        reached.setdefault(user.id, (owner, user))
    users = [user for _, user in reached.values()]
    outbox.notify(
        session,
        site_id=notice.site_id,
        recipients=outbox.Recipients(usernames=tuple(u.username for u in users)),
        title=f"紧急通知 Emergency: {notice.title}",
        body=notice.body,
        source=SOURCE,
        now=now,
    )
    text = sms_text(notice.title)
    for owner, user in reached.values():
        if owner.phone:
            outbox.send_sms(
                session,
                site_id=notice.site_id,
                recipient=user,
                phone=owner.phone,
                title=f"紧急通知短信 Emergency SMS: {notice.title}",
                text=text,
                source=SOURCE,
                now=now,
            )
    return len(users)


def sms_text(title: str) -> str:
    """The SMS for a notice titled `title`, its title shortened to fit the provider's limit."""
    room = outbox.SMS_MAX_BYTES - len((_SMS_HEAD + _SMS_TAIL).encode())
    encoded = title.encode()
    if len(encoded) > room:
        title = encoded[: room - len("…".encode())].decode(errors="ignore") + "…"
    return f"{_SMS_HEAD}{title}{_SMS_TAIL}"


def receipts(session: Session, notice: Notice) -> ReceiptsOut:
    """Every addressed owner with when they opened the notice: who still has to be told."""
    read_at = dict(
        session.execute(
            select(NoticeRead.user_id, NoticeRead.read_at).where(NoticeRead.notice_id == notice.id)
        ).all()
    )
    rows = [
        ReceiptOut(
            home_id=home.id, home=home_label(home), owner=owner.name, read_at=read_at.get(user.id)
        )
        for home, owner, user in addressed_owners(session, notice)
    ]
    rows.sort(key=lambda r: r.read_at is not None)
    return ReceiptsOut(
        notice_id=notice.id,
        addressed=len(rows),
        read=sum(r.read_at is not None for r in rows),
        receipts=rows,
    )
