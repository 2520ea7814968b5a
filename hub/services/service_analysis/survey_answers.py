"""What the satisfaction surveys of the analysed orders say: per order, how many surveys went
out, how many were answered, and the scores of the latest answered one.

The analysis reads a question's score from the survey; for attitude and quality an order's own
confirmation rating (the owner rating the repair while confirming it) counts where no survey
answered it, so figures from before the surveys keep their meaning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.storage.models import Survey, SurveyState, WorkOrder


@dataclass(frozen=True)
class OrderSurveys:
    sent: int = 0
    answered: int = 0
    scores: dict[str, int] = field(default_factory=dict)  # of the latest answered survey


NONE = OrderSurveys()


def by_order(session: Session, order_ids: Sequence[int]) -> dict[int, OrderSurveys]:
    """The surveys of each order that has any."""
    found: dict[int, OrderSurveys] = {}
    query = select(Survey).where(Survey.work_order_id.in_(order_ids)).order_by(Survey.id)
    for survey in session.scalars(query):
        before = found.get(survey.work_order_id, NONE)
        answered = survey.state is SurveyState.ANSWERED
        scores = (
            {a.question: a.score for a in survey.answers if a.score is not None}
            if answered
            else before.scores
        )
        found[survey.work_order_id] = OrderSurveys(
            before.sent + 1, before.answered + int(answered), scores
        )
    return found


def score(order: WorkOrder, surveys: OrderSurveys, question: str) -> int | None:
    """The order's score for `question`: the survey's, else its confirmation rating."""
    if question in surveys.scores:
        return surveys.scores[question]
    own: int | None = {"attitude": order.rating_attitude, "quality": order.rating_quality}.get(
        question
    )
    return own
