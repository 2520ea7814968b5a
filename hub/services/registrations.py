"""Owners register themselves: an application for a home, proven by an SMS code, opened by
customer service (seed 001: 注册、手机验证后与房屋绑定; issue 12: confirmed by customer service).

The applicant's phone becomes the username. Codes work as for a password reset (same length,
life, wrong-try limit and throttle, see `password_reset`), keyed to the application. Nobody can
log in on an application: the account exists only once customer service confirms it, which
binds it to the home and says so by SMS; a rejection's reason goes out by SMS too. Every step
is audited.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import crypto, security
from hub.domain import Role
from hub.errors import Conflict, InvalidInput, InvalidTransition, NotFound, TooManyRequests
from hub.services import audit, outbox, password_reset, users
from hub.services.password_reset import CODE_TTL, MAX_WRONG_ATTEMPTS
from hub.services.work_order_views import home_label
from hub.settings import Settings
from hub.storage.models import (
    Building,
    Home,
    HomeOwnership,
    Owner,
    Registration,
    RegistrationState,
    User,
)

SOURCE = "registration"
WRONG_CODE = "code: wrong or expired verification code"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class RegistrationOut(BaseModel):
    """An application as customer service sees it: the phone masked."""

    id: int
    home_id: int
    home: str = Field(description="building/home, e.g. B1/101")
    name: str
    phone: str = Field(description="masked, e.g. 138****5678")
    state: RegistrationState
    created_at: datetime
    verified_at: datetime | None
    decided_at: datetime | None
    reason: str


class HomeChoice(BaseModel):
    """A home an applicant may pick: where it is, never who lives there."""

    id: int
    label: str = Field(description="building/home, e.g. B1/101")
    building: str


@dataclass(frozen=True)
class Application:
    home_id: int
    name: str
    phone: str
    password: str


def homes(session: Session) -> list[HomeChoice]:
    """Every home of the estate, by building and code, for the applicant's picker."""
    query = select(Home).join(Building, Building.id == Home.building_id)
    rows = session.scalars(query.order_by(Building.code, Home.code)).unique()
    return [HomeChoice(id=h.id, label=home_label(h), building=h.building.name) for h in rows]


def apply(
    session: Session, data: Application, *, now: datetime, settings: Settings
) -> Registration:
    """Record an application and send its code; a newer one replaces an unverified one."""
    home = session.get(Home, data.home_id)
    if home is None:
        raise NotFound(f"home {data.home_id} not found")
    phone, name = password_reset.normalize_phone(data.phone), data.name.strip()
    if not _MOBILE.match(phone):
        raise InvalidInput(f"phone: {data.phone!r} is not a mobile number", code="household_phone")
    if not name or len(name) > 100:
        raise InvalidInput("name: give a name of 1 to 100 characters")
    _refuse_taken(session, phone)
    key = phone_key(settings, phone)
    mine = list(session.scalars(select(Registration).where(Registration.phone_key == key)))
    if any(r.state is RegistrationState.VERIFIED for r in mine):
        raise Conflict(
            "this phone already has an application waiting for customer service",
            code="registration_pending",
        )
    limit = password_reset.throttle(lambda start: sum(r.created_at > start for r in mine), now)
    if limit is not None:
        raise TooManyRequests(f"codes are limited to {limit}", code="registration_throttled")
    security.check_password_policy(data.password, user_inputs=(phone, name))
    for earlier in mine:
        if earlier.state is RegistrationState.AWAITING_CODE:
            earlier.state = RegistrationState.CLOSED
    code = password_reset.new_code()
    registration = Registration(
        home_id=home.id,
        name=name,
        phone=phone,
        phone_key=key,
        password_hash=security.hash_password(data.password),
        state=RegistrationState.AWAITING_CODE,
        created_at=now,
        code_hash="",
        code_expires_at=now + CODE_TTL,
        wrong_attempts=0,
    )
    session.add(registration)
    session.flush()
    registration.code_hash = _code_hash(settings, registration, code)
    text = password_reset.sms_text(settings.sms_signature, code, purpose="registration")
    _sms(session, registration, "注册验证码 Registration code", text, now)
    _audit(session, now, None, registration, "registration_applied", f"home:{home.id}")
    return registration


def verify(
    sessions: outbox.SessionFactory,
    registration_id: int,
    code: str,
    *,
    now: datetime,
    settings: Settings,
) -> None:
    """Mark the application verified if `code` is its live code; else `InvalidInput`, the same
    for every reason. A wrong try is committed before the error, so the limit holds."""
    with sessions() as session:
        verified = _verify(session, registration_id, code, now, settings)
    if not verified:
        raise InvalidInput(WRONG_CODE, code="wrong_registration_code")


def _verify(
    session: Session, registration_id: int, code: str, now: datetime, settings: Settings
) -> bool:
    registration = session.get(Registration, registration_id, with_for_update=True)
    if registration is None or registration.state is not RegistrationState.AWAITING_CODE:
        return False
    if registration.code_expires_at <= now:
        _audit(session, now, None, registration, "registration_code_failed", "code expired")
        return False
    if not hmac.compare_digest(registration.code_hash, _code_hash(settings, registration, code)):
        registration.wrong_attempts += 1
        if registration.wrong_attempts >= MAX_WRONG_ATTEMPTS:
            registration.state = RegistrationState.CLOSED
        detail = f"wrong code, try {registration.wrong_attempts} of {MAX_WRONG_ATTEMPTS}"
        _audit(session, now, None, registration, "registration_code_failed", detail)
        return False
    registration.state, registration.verified_at = RegistrationState.VERIFIED, now
    _audit(session, now, None, registration, "registration_verified", "phone proven by SMS")
    return True


def pending(session: Session) -> list[RegistrationOut]:
    """Verified applications waiting for customer service, oldest first."""
    query = (
        select(Registration)
        .where(Registration.state == RegistrationState.VERIFIED)
        .order_by(Registration.verified_at, Registration.id)
    )
    return [view(session, r) for r in session.scalars(query)]


def confirm(
    session: Session, registration_id: int, *, by: User, now: datetime
) -> tuple[Registration, User]:
    """Open the owner account and bind it to the home; the applicant is told by SMS."""
    registration = verified_or_raise(session, registration_id)
    user = open_account(session, registration, by=by, now=now)
    session.add(HomeOwnership(home_id=registration.home_id, owner_id=_owner_id(session, user)))
    text = "您的账号已开通，请用手机号登录。Your account is open: log in with your phone number."
    _sms(session, registration, "账号已开通 Account open", text, now, recipient=user)
    return registration, user


def open_account(session: Session, registration: Registration, *, by: User, now: datetime) -> User:
    """The owner account a verified application asked for (its phone as username), unbound;
    the application is confirmed. A phone taken meanwhile is refused with a clear code."""
    _refuse_taken(session, registration.phone)
    user = users.create_with_hash(
        session,
        username=registration.phone,
        full_name=registration.name,
        role=Role.OWNER,
        password_hash=registration.password_hash,
        chosen=True,
        now=now,
    )
    session.add(Owner(user_id=user.id, name=registration.name, phone=registration.phone))
    session.flush()
    registration.state, registration.user_id = RegistrationState.CONFIRMED, user.id
    registration.decided_at, registration.decided_by_id = now, by.id
    _audit(session, now, by, registration, "registration_confirmed", f"user:{user.id}")
    return user


def reject(
    session: Session, registration_id: int, reason: str, *, by: User, now: datetime
) -> Registration:
    """Refuse the application; the applicant gets `reason` by SMS."""
    registration = verified_or_raise(session, registration_id)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason: say why the application is rejected")
    registration.state, registration.reason = RegistrationState.REJECTED, reason[:200]
    registration.decided_at, registration.decided_by_id = now, by.id
    text = f"您的注册申请未通过：{reason[:60]}。Your registration was not accepted."
    _sms(session, registration, "注册未通过 Registration rejected", text, now)
    _audit(session, now, by, registration, "registration_rejected", reason[:200])
    return registration


def verified_or_raise(session: Session, registration_id: int) -> Registration:
    """A verified application; NotFound if there is none, InvalidTransition once decided."""
    registration = session.get(Registration, registration_id, with_for_update=True)
    if registration is None or registration.state is RegistrationState.AWAITING_CODE:
        raise NotFound(f"registration {registration_id} not found")
    if registration.state is not RegistrationState.VERIFIED:
        raise InvalidTransition(
            f"registration {registration_id} is {registration.state.value}",
            code="registration_decided",
        )
    return registration


def view(session: Session, registration: Registration) -> RegistrationOut:
    home = session.get_one(Home, registration.home_id)
    return RegistrationOut(
        id=registration.id,
        home_id=home.id,
        home=home_label(home),
        name=registration.name,
        phone=crypto.mask(registration.phone),
        state=registration.state,
        created_at=registration.created_at,
        verified_at=registration.verified_at,
        decided_at=registration.decided_at,
        reason=registration.reason,
    )


def phone_key(settings: Settings, phone: str) -> str:
    """A keyed hash of the normalized phone: finds an applicant's rows, reveals nothing."""
    return password_reset.keyed_hash(settings, "registration-phone", phone)


def _refuse_taken(session: Session, phone: str) -> None:
    if password_reset.owners_with_phone(session, phone):
        raise Conflict("an owner account already has this phone", code="registration_phone_taken")
    if users.username_taken(session, phone):
        raise Conflict(f"username {phone} is taken", code="username_taken")


def _owner_id(session: Session, user: User) -> int:
    return session.scalars(select(Owner.id).where(Owner.user_id == user.id)).one()


def _code_hash(settings: Settings, registration: Registration, code: str) -> str:
    return password_reset.keyed_hash(settings, f"registration:{registration.id}", code)


def _sms(
    session: Session,
    registration: Registration,
    title: str,
    text: str,
    now: datetime,
    *,
    recipient: User | None = None,
) -> None:
    home = session.get_one(Home, registration.home_id)
    outbox.send_sms(
        session,
        site_id=home.building.site_id,
        recipient=recipient,
        phone=registration.phone,
        title=title,
        text=text,
        source=SOURCE,
        now=now,
    )


def _audit(
    session: Session,
    now: datetime,
    by: User | None,
    registration: Registration,
    action: str,
    detail: str,
) -> None:
    audit.record(
        session,
        at=now,
        user_id=by.id if by is not None else None,
        action=action,
        target=f"registration:{registration.id}",
        detail=detail,
    )
