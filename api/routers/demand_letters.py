"""催缴函: finance issues a written demand for a home's long arrears and prints it; the home's
owners read theirs. There is no route that cuts a utility (Civil Code art. 944)."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep
from api.params import IdField, ObjectId, QueryId
from api.routers.billing import PDF, Finance, Reader
from hub.domain import Role
from hub.errors import NotFound
from hub.services import read_audit
from hub.services.billing import demand_letters, documents
from hub.services.billing.text import decimal_text, home_label
from hub.services.users import owner_home_ids
from hub.storage.models import DemandLetter, Home, User

router = APIRouter(prefix="/bills/arrears/demand-letters", tags=["billing"])


class DemandLetterIn(BaseModel):
    home_id: IdField


class DemandedBillOut(BaseModel):
    bill_id: int
    period: str
    amount: str


class DemandLetterOut(BaseModel):
    id: int
    number: str = Field(description="编号 printed on the letter, e.g. CJ202612-00003")
    home_id: int
    home: str
    issued_at: datetime
    pay_by: date = Field(description="the term the letter gives, in the estate's calendar")
    total: str
    bills: list[DemandedBillOut]

    @classmethod
    def of(cls, letter: DemandLetter, home: Home) -> DemandLetterOut:
        return cls(
            id=letter.id,
            number=demand_letters.letter_number(letter),
            home_id=letter.home_id,
            home=home_label(home),
            issued_at=letter.issued_at,
            pay_by=letter.pay_by,
            total=decimal_text(letter.total, 2),
            bills=[
                DemandedBillOut(
                    bill_id=item.bill_id, period=item.period, amount=decimal_text(item.amount, 2)
                )
                for item in letter.bills
            ],
        )


@router.post("", status_code=201)
def issue(
    body: DemandLetterIn, session: SessionDep, context: ContextDep, user: Finance
) -> DemandLetterOut:
    """A letter for all of the home's unpaid bills, once one is past every reminder (409
    `demand_not_due` before; `demand_letter_pending` while an earlier letter's term runs)."""
    letter = demand_letters.issue(session, body.home_id, by=user, now=context.clock.now())
    return DemandLetterOut.of(letter, _home(session, letter))


@router.get("")
def list_letters(
    session: SessionDep, context: ContextDep, user: Finance, home_id: QueryId = None
) -> list[DemandLetterOut]:
    """Letters issued, newest first; of one home with `home_id`."""
    found = demand_letters.letters_of(session, home_id)
    read_audit.staff_read(session, user, at=context.clock.now(), target="demand-letters")
    return [DemandLetterOut.of(letter, _home(session, letter)) for letter in found]


@router.get("/{letter_id}/pdf", response_class=Response, responses=PDF)
def letter_pdf(
    letter_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader
) -> Response:
    """The letter as printed: for staff who read bills, and the owners it is addressed to."""
    letter = session.get(DemandLetter, letter_id)
    if letter is None or not _may_read(session, user, letter):
        raise NotFound(f"demand letter {letter_id} not found")
    read_audit.staff_read(session, user, at=context.clock.now(), target=f"demand:{letter.id}")
    name = f"demand-{demand_letters.letter_number(letter)}.pdf"
    return Response(
        documents.demand_letter_pdf(session, letter),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _may_read(session: SessionDep, user: User, letter: DemandLetter) -> bool:
    if user.role is Role.OWNER:
        return letter.home_id in owner_home_ids(session, user)
    return True  # staff who read bills


def _home(session: SessionDep, letter: DemandLetter) -> Home:
    home = session.get(Home, letter.home_id)
    assert home is not None  # a foreign key
    return home
