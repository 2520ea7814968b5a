"""Corrections: finance credits a bill (红字冲销) and re-bills it (重开); finance and technicians
correct a meter reading (人工更正). Owners read their own bills' credit notes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_role
from api.params import DB_ID_MAX, ObjectId
from api.routers.billing import Finance, Reader
from hub.domain import Role
from hub.errors import NotFound
from hub.services import read_audit
from hub.services.bill_views import BillingProblemOut, BillOut, CreditNoteOut
from hub.services.billing import corrections, credit_notes, decimal_text
from hub.storage.models import Reading, ReadingCorrection, User

router = APIRouter(tags=["billing"])

MeterStaff = Annotated[User, Depends(require_role(Role.FINANCE, Role.TECHNICIAN, Role.ADMIN))]
Reason = Annotated[str, Field(min_length=1, max_length=500)]
Period = Annotated[
    str, Query(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", description='a month, "2026-10" (2000-2099)')
]


class CreditNoteIn(BaseModel):
    reason: Reason = Field(description="e.g. 读数抄错 a misread register")


class RebillOut(BaseModel):
    bill: BillOut = Field(description="the new bill; `replaces_id` names the credited one")
    problems: list[BillingProblemOut] = Field(description="meters the re-bill could not bill")


class CorrectionIn(BaseModel):
    value: Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=6)]
    reason: Reason = Field(description="e.g. 照片读数 read from a photo of the register")


class CorrectionOut(BaseModel):
    id: int
    reading_id: int
    metric: str
    ts: datetime = Field(description="when the corrected reading was taken")
    original: str | None = Field(description="the value as it arrived")
    value: str = Field(description="the value billing uses now")
    reason: str
    created_at: datetime
    created_by_id: int

    @classmethod
    def of(cls, correction: ReadingCorrection, reading: Reading) -> CorrectionOut:
        return cls(
            id=correction.id,
            reading_id=reading.id,
            metric=reading.metric,
            ts=reading.ts,
            original=None if correction.original is None else decimal_text(correction.original),
            value=decimal_text(correction.value),
            reason=correction.reason,
            created_at=correction.created_at,
            created_by_id=correction.created_by_id,
        )


class MeterReadingRowOut(BaseModel):
    id: int
    metric: str
    ts: datetime
    value: str = Field(description="as it arrived")
    corrected: str | None = Field(description="人工更正: what billing uses instead")
    source: str


@router.post("/bills/{bill_id}/credit-note", status_code=201)
def credit_bill(
    bill_id: ObjectId, body: CreditNoteIn, session: SessionDep, context: ContextDep, user: Finance
) -> CreditNoteOut:
    """红字冲销: credit a bill in full; what it was paid goes to the home's prepaid balance."""
    note = credit_notes.issue_credit_note(
        session, bill_id=bill_id, reason=body.reason, by=user, now=context.clock.now()
    )
    _, bill = credit_notes.get_credit_note_or_raise(session, note.id, user)
    return CreditNoteOut.of(session, note, bill)


@router.post("/bills/{bill_id}/rebill", status_code=201)
def rebill(bill_id: ObjectId, session: SessionDep, context: ContextDep, user: Finance) -> RebillOut:
    """重开: bill a credited bill's home and month again, as the run would today."""
    done = credit_notes.rebill(session, bill_id=bill_id, by=user, now=context.clock.now())
    return RebillOut(
        bill=BillOut.of(session, done.bill),
        problems=[
            BillingProblemOut(
                home=p.home, meter=p.meter, message=p.message, code=p.code, params=p.params
            )
            for p in done.problems
        ],
    )


@router.get("/credit-notes")
def list_credit_notes(
    session: SessionDep,
    context: ContextDep,
    user: Reader,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=DB_ID_MAX)] = 0,
) -> list[CreditNoteOut]:
    """Credit notes, newest first; an owner's: those of their own homes' bills."""
    found = credit_notes.list_credit_notes(session, user, limit=limit, offset=offset)
    read_audit.staff_read(
        session, user, at=context.clock.now(), target="credit_notes", detail=f"{len(found)} rows"
    )
    return [CreditNoteOut.of(session, note, bill) for note, bill in found]


@router.get("/credit-notes/{note_id}")
def get_credit_note(
    note_id: ObjectId, session: SessionDep, context: ContextDep, user: Reader
) -> CreditNoteOut:
    """One credit note; another owner's is not found."""
    note, bill = credit_notes.get_credit_note_or_raise(session, note_id, user)
    read_audit.staff_read(session, user, at=context.clock.now(), target=f"credit_note:{note.id}")
    return CreditNoteOut.of(session, note, bill)


@router.post("/meters/{meter_id}/readings/{reading_id}/corrections", status_code=201)
def correct_reading(
    meter_id: ObjectId,
    reading_id: ObjectId,
    body: CorrectionIn,
    session: SessionDep,
    context: ContextDep,
    user: MeterStaff,
) -> CorrectionOut:
    """人工更正: what the reading should have read; bills already written keep theirs (credit
    and re-bill them to apply it)."""
    correction = corrections.correct_reading(
        session,
        meter_id=meter_id,
        reading_id=reading_id,
        value=body.value,
        reason=body.reason,
        user_id=user.id,
        now=context.clock.now(),
    )
    reading = session.get(Reading, correction.reading_id)
    if reading is None:  # just corrected; only a concurrent delete, which nothing does
        raise NotFound(f"reading {reading_id} not found")
    return CorrectionOut.of(correction, reading)


@router.get("/meters/{meter_id}/corrections")
def list_corrections(
    meter_id: ObjectId, session: SessionDep, context: ContextDep, user: MeterStaff
) -> list[CorrectionOut]:
    """A meter's reading corrections, newest first."""
    found = corrections.list_corrections(session, meter_id)
    read_audit.staff_read(session, user, at=context.clock.now(), target=f"corrections:{meter_id}")
    return [CorrectionOut.of(correction, reading) for correction, reading in found]


@router.get("/meters/{meter_id}/readings")
def month_readings(
    meter_id: ObjectId, period: Period, session: SessionDep, context: ContextDep, user: MeterStaff
) -> list[MeterReadingRowOut]:
    """A meter's register readings of a month and its start reading, oldest first, to correct."""
    found = corrections.month_readings(session, meter_id, period)
    read_audit.staff_read(session, user, at=context.clock.now(), target=f"readings:{meter_id}")
    return [
        MeterReadingRowOut(
            id=reading.id,
            metric=reading.metric,
            ts=reading.ts,
            value=decimal_text(reading.value) if reading.value is not None else "",
            corrected=None if corrected is None else decimal_text(corrected),
            source=reading.source,
        )
        for reading, corrected in found
    ]
