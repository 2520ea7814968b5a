"""Satisfaction surveys (满意度回访): the owner answers their own in the app, or anyone holding
the SMS link's token answers that one survey without logging in; customer service and admins
follow every survey (who has not answered). Another owner's survey is not found (404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import ObjectId
from hub.domain import Role
from hub.services import surveys
from hub.services.survey_policy import MAX_TEXT
from hub.services.survey_views import SurveyOut
from hub.storage.models import SurveyState, User

router = APIRouter(prefix="/surveys", tags=["surveys"])

Reader = Annotated[User, Depends(require_role(Role.OWNER, *surveys.STAFF))]
Answerer = Annotated[User, Depends(require_role(Role.OWNER))]
Token = Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class AnswersIn(BaseModel):
    answers: dict[
        str, Annotated[int, Field(strict=True)] | Annotated[str, Field(max_length=MAX_TEXT)]
    ] = Field(description="question key -> a score 1-5 or a text", max_length=20)


@router.get("/by-token/{token}")
def get_by_token(token: Token, session: SessionDep, context: ContextDep) -> SurveyOut:
    """The survey the SMS link opens; 409 `survey_answered` / `survey_expired` once closed."""
    return SurveyOut.of(surveys.by_token_or_raise(session, token, now=context.clock.now()))


@router.post("/by-token/{token}")
def answer_by_token(
    token: Token, body: AnswersIn, session: SessionDep, context: ContextDep
) -> SurveyOut:
    """Answer the survey the SMS link opens, as the owner would in the app."""
    now = context.clock.now()
    survey = surveys.by_token_or_raise(session, token, now=now)
    return SurveyOut.of(surveys.answer(session, survey, body.answers, now=now))


@router.get("")
def list_surveys(
    session: SessionDep, user: Reader, state: SurveyState | None = None
) -> list[SurveyOut]:
    """Newest first: an owner's own; every survey for customer service and admins
    (`state=sent`: who has not answered yet)."""
    return [SurveyOut.of(s) for s in surveys.list_for(session, user, state=state)]


@router.get("/{survey_id}")
def get_survey(survey_id: ObjectId, session: SessionDep, user: Reader) -> SurveyOut:
    return SurveyOut.of(surveys.get_visible_or_raise(session, survey_id, user))


@router.post("/{survey_id}/answers")
def answer(
    survey_id: ObjectId, body: AnswersIn, session: SessionDep, context: ContextDep, user: Answerer
) -> SurveyOut:
    """The owner's answers: 422 for a missing or out-of-range one, 409 when already answered."""
    survey = surveys.get_visible_or_raise(session, survey_id, user)
    return SurveyOut.of(surveys.answer(session, survey, body.answers, now=context.clock.now()))
