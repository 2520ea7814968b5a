"""Daily reconciliation (对账) for finance: upload a provider's statement, see each day's
differences, note them, sign the day off (or re-open it), download the day-close report; and
the sandbox provider's own statement of a day. Finance and admins only."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Response, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.deps import ContextDep, SessionDep, require_role
from api.routers.service_analysis import XLSX
from hub.domain import Role
from hub.services import read_audit, spreadsheets
from hub.services.billing.periods import parse_period
from hub.services.payment_providers import provider_name, sandbox
from hub.services.reconciliation import calendar, closing, days, report
from hub.services.reconciliation import sandbox as sandbox_books
from hub.services.reconciliation.days import DayResult
from hub.storage.models import User
from hub.storage.models.reconciliation import ItemKind

router = APIRouter(prefix="/reconciliation", tags=["reconciliation"])

Finance = Annotated[User, Depends(require_role(Role.FINANCE, Role.ADMIN))]
Provider = Literal["sandbox", "wechat", "alipay"]
ProviderPath = Annotated[Provider, Path(description="the payment provider")]
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)  # days the hub can have payments on
DayPath = Annotated[
    date, Path(ge=EARLIEST, le=LATEST, description="the day in the estates' timezone, 2026-11-10")
]
State = Literal["no_statement", "open", "signed_off"]


class NoteOut(BaseModel):
    text: str
    by: str
    at: datetime


class ItemOut(BaseModel):
    kind: ItemKind
    key: str = Field(description="names the line for a note")
    line: int | None = Field(description="the statement's line; null for our payment alone")
    transaction_id: str
    out_trade_no: str
    refund_no: str
    statement_amount: str | None
    our_amount: str | None
    bill_id: int | None
    bill: str | None = Field(description='"B1/101 2026-10"')
    at: datetime
    note: NoteOut | None


class StatementOut(BaseModel):
    filename: str
    sha256: str
    rows: int
    imported_at: datetime


class DaySummaryOut(BaseModel):
    day: date
    state: State
    statement_rows: int | None
    booked: int = Field(description="our payments through the provider that day")
    booked_total: str
    matched: int
    differences: int
    unnoted: int
    signed_off_at: datetime | None


class DayOut(DaySummaryOut):
    provider: Provider
    statement: StatementOut | None
    signed_off_by: str | None
    items: list[ItemOut]


class DaysOut(BaseModel):
    provider: Provider
    configured_provider: str = Field(description="the provider owners pay through here")
    days: list[DaySummaryOut]


class ImportOut(BaseModel):
    created: bool = Field(description="false: this very file was the day's statement already")
    day: DayOut


class NoteIn(BaseModel):
    key: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=500)


class ReopenIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _summary(result: DayResult) -> dict[str, object]:
    record = result.record
    return {
        "day": result.day,
        "state": "no_statement" if record is None else record.state.value,
        "statement_rows": result.statement.rows if result.statement else None,
        "booked": len(result.booked),
        "booked_total": f"{sum((b.amount for b in result.booked), Decimal('0.00')):.2f}",
        "matched": len(result.items) - len(result.differences),
        "differences": len(result.differences),
        "unnoted": len(result.unnoted),
        "signed_off_at": record.signed_off_at if record else None,
    }


def _day_out(session: Session, result: DayResult) -> DayOut:
    bills = report.bill_labels(session, (item.bill_id for item in result.items))
    signer = result.record.signed_off_by_id if result.record else None
    people = report.names(session, [signer, *(n.noted_by_id for n in result.notes.values())])
    statement = result.statement

    def note(key: str) -> NoteOut | None:
        found = result.notes.get(key)
        if found is None:
            return None
        return NoteOut(text=found.text, by=people.get(found.noted_by_id, ""), at=found.noted_at)

    return DayOut.model_validate(
        _summary(result)
        | {
            "provider": result.provider,
            "statement": None
            if statement is None
            else StatementOut(
                filename=statement.filename,
                sha256=statement.sha256,
                rows=statement.rows,
                imported_at=statement.imported_at,
            ),
            "signed_off_by": people.get(signer) if signer else None,
            "items": [
                ItemOut(
                    kind=item.kind,
                    key=item.key,
                    line=item.line,
                    transaction_id=item.transaction_id,
                    out_trade_no=item.out_trade_no,
                    refund_no=item.refund_no,
                    statement_amount=_money(item.statement_amount),
                    our_amount=_money(item.our_amount),
                    bill_id=item.bill_id,
                    bill=bills.get(item.bill_id) if item.bill_id else None,
                    at=item.at,
                    note=note(item.key),
                )
                for item in result.items
            ],
        }
    )


@router.post("/statements")
def upload_statement(
    session: SessionDep,
    context: ContextDep,
    user: Finance,
    provider: Annotated[Provider, Form()],
    day: Annotated[date, Form(ge=EARLIEST, le=LATEST, description="the day it covers")],
    file: Annotated[UploadFile, File(description="the statement as the provider gave it")],
) -> ImportOut:
    """Store (with its SHA-256) and match a statement; the same file again changes nothing, a
    signed-off day takes no other (409 `reconciliation_day_locked`), a bad file is refused
    naming its line (422 `statement_invalid`)."""
    limit = context.settings.statement_max_bytes
    result, created = days.import_statement(
        session,
        provider=provider,
        day=day,
        filename=file.filename or "statement",
        data=file.file.read(limit + 1),
        limit=limit,
        by=user,
        now=context.clock.now(),
    )
    return ImportOut(created=created, day=_day_out(session, result))


@router.get("/days")
def list_days(
    session: SessionDep,
    context: ContextDep,
    user: Finance,
    provider: Annotated[Provider, Query()],
    month: Annotated[str, Query(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", description='"2026-11"')],
) -> DaysOut:
    """Every day of the month up to today, newest first, with its state and counts."""
    period = parse_period(month)
    first = date(period.year, period.month, 1)
    last = min(calendar.day_of(session, context.clock.now()), _month_end(first))
    found = days.list_days(session, provider, first, last)
    read_audit.staff_read(
        session, user, at=context.clock.now(), target="reconciliation", detail=f"{provider} {month}"
    )
    return DaysOut(
        provider=provider,
        configured_provider=provider_name(context.settings),
        days=[DaySummaryOut.model_validate(_summary(s.result)) for s in found],
    )


def _month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


@router.get("/days/{provider}/{day}")
def get_day(session: SessionDep, user: Finance, provider: ProviderPath, day: DayPath) -> DayOut:
    """The day's result: live while open, as signed off once signed off."""
    return _day_out(session, days.day_result(session, provider, day))


@router.post("/days/{provider}/{day}/notes")
def note_difference(
    session: SessionDep,
    context: ContextDep,
    user: Finance,
    provider: ProviderPath,
    day: DayPath,
    body: NoteIn,
) -> DayOut:
    """Note what a difference is and what was done about it (replaces an earlier note)."""
    result = closing.note(
        session,
        provider=provider,
        day=day,
        key=body.key,
        text=body.text,
        by=user,
        now=context.clock.now(),
    )
    return _day_out(session, result)


@router.post("/days/{provider}/{day}/sign-off")
def sign_off(
    session: SessionDep, context: ContextDep, user: Finance, provider: ProviderPath, day: DayPath
) -> DayOut:
    """Close the day: every difference must have a note (409 `reconciliation_unnoted`)."""
    result = closing.sign_off(session, provider=provider, day=day, by=user, now=context.clock.now())
    return _day_out(session, result)


@router.post("/days/{provider}/{day}/reopen")
def reopen(
    session: SessionDep,
    context: ContextDep,
    user: Finance,
    provider: ProviderPath,
    day: DayPath,
    body: ReopenIn,
) -> DayOut:
    """Unlock a signed-off day, with the reason (audited)."""
    result = closing.reopen(
        session, provider=provider, day=day, reason=body.reason, by=user, now=context.clock.now()
    )
    return _day_out(session, result)


def _report(
    session: SessionDep, user: Finance, provider: ProviderPath, day: DayPath
) -> list[spreadsheets.Table]:
    return report.tables(session, days.day_result(session, provider, day))


ReportDep = Annotated[list[spreadsheets.Table], Depends(_report)]


def _attachment(provider: str, day: date, extension: str) -> dict[str, str]:
    name = f"reconciliation-{provider}-{day}.{extension}"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get(
    "/days/{provider}/{day}/report.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def report_csv(tables: ReportDep, provider: ProviderPath, day: DayPath) -> Response:
    """The day-close report: figures, differences with their notes, matched lines."""
    return Response(
        spreadsheets.to_csv(tables),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(provider, day, "csv"),
    )


@router.get(
    "/days/{provider}/{day}/report.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def report_xlsx(tables: ReportDep, provider: ProviderPath, day: DayPath) -> Response:
    """The same report as an Excel workbook, a sheet per table."""
    return Response(
        spreadsheets.to_xlsx(tables), media_type=XLSX, headers=_attachment(provider, day, "xlsx")
    )


@router.get(
    "/sandbox-statement",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def sandbox_statement(
    session: SessionDep,
    context: ContextDep,
    user: Finance,
    day: Annotated[date, Query(ge=EARLIEST, le=LATEST, description="the day, 2026-11-10")],
) -> Response:
    """What the sandbox provider settled on `day`, in its statement format (only where the
    sandbox is the provider)."""
    sandbox(context.settings)
    return Response(
        sandbox_books.statement(session, day),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="sandbox-{day}.csv"'},
    )
