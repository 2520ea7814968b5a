"""The shape of a satisfaction survey people see: the owner answering it (in the app or by the
SMS link) and customer service following who has not answered."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from hub.services import sla_policy
from hub.services.survey_policy import Question
from hub.storage.models import Survey, SurveyState


class AnswerOut(BaseModel):
    question: str
    score: int | None = Field(description="1-5 for a score question")
    text: str | None = Field(description="for a text question")


class SurveyOut(BaseModel):
    id: int
    work_order_id: int
    title: str = Field(description="the repair's title")
    location: str
    state: SurveyState
    sent_at: datetime
    reminded_at: datetime | None
    answered_at: datetime | None
    expired_at: datetime | None
    closes_at: datetime = Field(description="closed unanswered at this time")
    questions: list[Question] = Field(description="as configured in rules/sla.yaml `survey:`")
    answers: list[AnswerOut]

    @classmethod
    def of(cls, survey: Survey) -> SurveyOut:
        config = sla_policy.current().survey
        order = survey.work_order
        return cls(
            id=survey.id,
            work_order_id=order.id,
            title=order.title,
            location=order.location,
            state=survey.state,
            sent_at=survey.sent_at,
            reminded_at=survey.reminded_at,
            answered_at=survey.answered_at,
            expired_at=survey.expired_at,
            closes_at=survey.sent_at + config.close_after,
            questions=config.questions,
            answers=[
                AnswerOut(question=a.question, score=a.score, text=a.text) for a in survey.answers
            ],
        )
