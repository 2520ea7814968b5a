"""The satisfaction survey's settings (满意度回访): the `survey:` section of rules/sla.yaml.

Which questions an owner is asked after a repair (a 1-5 score or a free text, each required or
not), when the hub reminds them (once) and when it closes the survey unanswered. Left out, the
defaults apply: attitude, quality, timeliness and overall scores and an optional comment; a
reminder after a day, closed after a week.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import Field

from hub.services.sla_fields import Duration, SlaProblem, Strict

MAX_TEXT = 500  # characters of a text answer
SCORES = range(1, 6)


class QuestionKind(StrEnum):
    SCORE = "score"  # 1 to 5 stars
    TEXT = "text"


class Question(Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    zh: str = Field(min_length=1, max_length=64)
    en: str = Field(min_length=1, max_length=64)
    kind: QuestionKind = QuestionKind.SCORE
    required: bool = True


DEFAULT_QUESTIONS = [
    Question(key="attitude", zh="服务态度", en="Attitude"),
    Question(key="quality", zh="维修质量", en="Quality"),
    Question(key="timeliness", zh="及时性", en="Timeliness"),
    Question(key="overall", zh="总体满意度", en="Overall"),
    Question(key="comment", zh="意见建议", en="Comment", kind=QuestionKind.TEXT, required=False),
]


class SurveyConfig(Strict):
    questions: list[Question] = Field(default=DEFAULT_QUESTIONS, min_length=1, max_length=20)
    remind_after: Duration = timedelta(days=1)
    close_after: Duration = timedelta(days=7)


def survey_problems(config: SurveyConfig) -> list[SlaProblem]:
    """What what the schema cannot see: a key twice, a reminder that would
    come after the survey closed."""
    problems: list[SlaProblem] = []
    seen: set[str] = set()
    for index, question in enumerate(config.questions):
        if question.key in seen:
            where = f"survey.questions.{index}"
            message = f"a second question {question.key!r}"
            problems.append(SlaProblem("sla_survey_duplicate", where, message))
        seen.add(question.key)
    if config.remind_after >= config.close_after:
        message = "remind_after must be shorter than close_after"
        problems.append(SlaProblem("sla_survey_remind", "survey.remind_after", message))
    return problems
