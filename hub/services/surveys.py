"""Satisfaction surveys (满意度回访): sent when a repair is completed, answered once, reminded
once, closed unanswered after `close_after` (the `survey:` section of rules/sla.yaml).

A survey goes to the owner who asked (else the home's first owner with an account) in the same
transaction as the completion: an inbox message and an SMS whose link carries a random token;
only the token's SHA-256 is stored. The reminder sends a second link (its own token), the first
one still works. A refused repair completed again gets a new survey only when the earlier one
is answered or expired: an open survey simply covers the new completion too.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.domain import Role
from hub.errors import Conflict, InvalidInput, NotFound
from hub.security import token_digest
from hub.services import outbox, sla_policy
from hub.services.survey_policy import MAX_TEXT, SCORES, QuestionKind, SurveyConfig
from hub.settings import get_settings
from hub.storage.models import (
    HomeOwnership,
    Owner,
    Survey,
    SurveyAnswer,
    SurveyState,
    User,
    WorkOrder,
)

SOURCE = "survey"
STAFF = (Role.CUSTOMER_SERVICE, Role.ADMIN)
Answer = int | str


@dataclass(frozen=True)
class Swept:
    reminded: int
    expired: int


def on_completed(session: Session, order: WorkOrder, *, now: datetime) -> Survey | None:
    """The survey for this completion, sent now; None when one is still open or nobody owns it."""
    open_one = session.scalars(
        select(Survey).where(Survey.work_order_id == order.id, Survey.state == SurveyState.SENT)
    ).first()
    recipient = None if open_one is not None else _recipient(session, order)
    if recipient is None:
        return None
    token = secrets.token_urlsafe(24)
    survey = Survey(
        work_order_id=order.id,
        owner_id=recipient.id,
        state=SurveyState.SENT,
        token_hash=token_digest(token),
        sent_at=now,
    )
    session.add(survey)
    session.flush()
    _send(session, survey, recipient, token, now=now, reminder=False)
    return survey


def _recipient(session: Session, order: WorkOrder) -> User | None:
    """The owner who asked, else the first active owner account of the order's home."""
    asker = session.get(User, order.requested_by_id) if order.requested_by_id else None
    if asker is not None and asker.role is Role.OWNER and asker.active:
        return asker
    if order.home_id is None:
        return None
    return session.scalars(
        select(User)
        .join(Owner, Owner.user_id == User.id)
        .join(HomeOwnership, HomeOwnership.owner_id == Owner.id)
        .where(HomeOwnership.home_id == order.home_id, User.active.is_(True))
        .order_by(User.id)
    ).first()


def _send(
    session: Session, survey: Survey, owner: User, token: str, *, now: datetime, reminder: bool
) -> None:
    order = survey.work_order
    head = "请评价 Reminder: rate" if reminder else "服务评价 Rate"
    title = f"{head} #{order.id} {order.title}"
    body = f"维修已完成，请为本次服务评分 Please rate the repair: /m/owner/surveys/{survey.id}"
    recipients = outbox.Recipients(usernames=(owner.username,))
    outbox.notify(
        session,
        site_id=order.site_id,
        recipients=recipients,
        title=title,
        body=body,
        source=SOURCE,
        now=now,
    )
    phone = session.scalars(select(Owner.phone).where(Owner.user_id == owner.id)).first()
    if phone:
        outbox.send_sms(
            session,
            site_id=order.site_id,
            recipient=owner,
            phone=phone,
            title=f"评价短信 Survey SMS #{order.id}",
            text=sms_text(order.title, link(token), reminder=reminder),
            source=SOURCE,
            now=now,
        )


def link(token: str) -> str:
    """The public page of the survey the token opens."""
    return f"{get_settings().public_url.rstrip('/')}/s/{token}"


def sms_text(title: str, url: str, *, reminder: bool = False) -> str:
    """The SMS with the survey's link, the repair's title shortened to keep it within limits."""
    signature = get_settings().sms_signature
    short = title if len(title) <= 20 else title[:19] + "…"
    head = "提醒：" if reminder else ""
    return f"【{signature}】{head}您的报修“{short}”已完成，请评价本次服务：{url}"


def sweep(session: Session, *, now: datetime) -> Swept:
    """Remind once after `remind_after`, close after `close_after`; as often as a timer likes."""
    config = sla_policy.current().survey
    reminded = expired = 0
    for survey in list(session.scalars(select(Survey).where(Survey.state == SurveyState.SENT))):
        if _expire_if_due(survey, config, now):
            expired += 1
        elif survey.reminded_at is None and now >= survey.sent_at + config.remind_after:
            token = secrets.token_urlsafe(24)
            survey.reminder_token_hash, survey.reminded_at = token_digest(token), now
            owner = session.get(User, survey.owner_id)
            if owner is not None and owner.active:
                _send(session, survey, owner, token, now=now, reminder=True)
            reminded += 1
    session.flush()
    return Swept(reminded, expired)


def _expire_if_due(survey: Survey, config: SurveyConfig, now: datetime) -> bool:
    if survey.state is SurveyState.SENT and now >= survey.sent_at + config.close_after:
        survey.state, survey.expired_at = SurveyState.EXPIRED, now
        return True
    return False


def list_for(session: Session, user: User, *, state: SurveyState | None = None) -> list[Survey]:
    """Newest first: an owner's own, every survey for customer service and admins."""
    query = select(Survey).order_by(Survey.sent_at.desc(), Survey.id.desc())
    if user.role is Role.OWNER:
        query = query.where(Survey.owner_id == user.id)
    if state is not None:
        query = query.where(Survey.state == state)
    return list(session.scalars(query.limit(500)))


def get_visible_or_raise(session: Session, survey_id: int, user: User) -> Survey:
    survey = session.get(Survey, survey_id)
    if survey is None or (user.role is Role.OWNER and survey.owner_id != user.id):
        raise NotFound(f"survey {survey_id} not found")
    return survey


def by_token_or_raise(session: Session, token: str, *, now: datetime) -> Survey:
    """The open survey an SMS link opens; 404 for an unknown token, 409 once closed."""
    digest = token_digest(token)
    survey = session.scalars(
        select(Survey).where(or_(Survey.token_hash == digest, Survey.reminder_token_hash == digest))
    ).one_or_none()
    if survey is None:
        raise NotFound("survey link not found")
    check_open(survey, now=now)
    return survey


def check_open(survey: Survey, *, now: datetime) -> None:
    """`Conflict` for a survey answered (`survey_answered`) or past its closing time."""
    _expire_if_due(survey, sla_policy.current().survey, now)
    if survey.state is SurveyState.ANSWERED:
        raise Conflict(f"survey {survey.id} is already answered", code="survey_answered")
    if survey.state is SurveyState.EXPIRED:
        raise Conflict(f"survey {survey.id} is closed", code="survey_expired")


def answer(
    session: Session, survey: Survey, answers: Mapping[str, Answer], *, now: datetime
) -> Survey:
    """Record the owner's answers, checked against the configured questions; once only."""
    check_open(survey, now=now)
    config = sla_policy.current().survey
    rows = _checked(config, answers)
    survey.answers.extend(rows)
    survey.state, survey.answered_at = SurveyState.ANSWERED, now
    session.flush()
    return survey


def _checked(config: SurveyConfig, answers: Mapping[str, Answer]) -> list[SurveyAnswer]:
    questions = {q.key: q for q in config.questions}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        raise InvalidInput(f"{unknown[0]}: no such question", code="survey_unknown_question")
    rows = []
    for question in config.questions:
        value = answers.get(question.key)
        if isinstance(value, str):
            value = value.strip() or None
        if value is None:
            if question.required:
                raise InvalidInput(f"{question.key}: required", code="survey_answer_missing")
            continue
        if question.kind is QuestionKind.SCORE:
            if isinstance(value, bool) or not isinstance(value, int) or value not in SCORES:
                raise InvalidInput(f"{question.key}: score 1 to 5", code="survey_score_range")
            rows.append(SurveyAnswer(question=question.key, score=value))
        else:
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                message = f"{question.key}: text up to {MAX_TEXT} characters"
                raise InvalidInput(message, code="survey_text_invalid")
            rows.append(SurveyAnswer(question=question.key, text=value))
    return rows
