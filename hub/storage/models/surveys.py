"""Satisfaction surveys (满意度回访): one per completion of a repair, sent to its owner, and the
owner's answers, one row per question."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.storage.base import Base
from hub.storage.models.work_orders import WorkOrder
from hub.storage.types import UTCDateTime, enum_type


class SurveyState(StrEnum):
    SENT = "sent"
    ANSWERED = "answered"
    EXPIRED = "expired"  # closed unanswered after `close_after`


class Survey(Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[SurveyState] = mapped_column(enum_type(SurveyState), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the SMS link's
    reminder_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    work_order: Mapped[WorkOrder] = relationship(lazy="joined")
    answers: Mapped[list[SurveyAnswer]] = relationship(
        lazy="selectin", order_by="SurveyAnswer.id", cascade="all, delete-orphan"
    )


class SurveyAnswer(Base):
    """The answer to one question: a score (1-5) or a text, by the question's key."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("survey_id", "question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    question: Mapped[str] = mapped_column(String(32))
    score: Mapped[int | None] = mapped_column()
    text: Mapped[str | None] = mapped_column(Text)
