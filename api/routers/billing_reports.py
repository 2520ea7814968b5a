"""Finance's reports: the collection rate (收缴率) by month, estate, building and fee type, as
JSON for the console and as CSV / XLSX for the books."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from api.deps import ContextDep, SessionDep, require_role
from api.params import QueryId
from api.routers.service_analysis import XLSX
from hub.domain import Role, Utility
from hub.services import read_audit, spreadsheets
from hub.services.billing.reports import CollectionRow, collection, collection_table, totals
from hub.storage.models import User

router = APIRouter(prefix="/reports", tags=["billing"])

Finance = Annotated[User, Depends(require_role(Role.FINANCE, Role.ADMIN))]
PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"
First = Annotated[str, Query(alias="from", pattern=PERIOD, description='first month, "2026-01"')]
Last = Annotated[str, Query(alias="to", pattern=PERIOD, description="last month, included")]


class CollectionRowOut(BaseModel):
    period: str
    site: str
    building: str
    fee: Utility
    billed: str
    collected: str
    outstanding: str
    rate_pct: str | None

    @classmethod
    def of(cls, row: CollectionRow) -> CollectionRowOut:
        return cls(
            period=row.period,
            site=row.site,
            building=row.building,
            fee=row.fee,
            billed=f"{row.billed:.2f}",
            collected=f"{row.collected:.2f}",
            outstanding=f"{row.outstanding:.2f}",
            rate_pct=None if row.rate_pct is None else str(row.rate_pct),
        )


class CollectionOut(BaseModel):
    rows: list[CollectionRowOut]
    total: CollectionRowOut


def _rows(
    session: SessionDep,
    context: ContextDep,
    user: Finance,
    first: First,
    last: Last,
    site_id: QueryId = None,
) -> list[CollectionRow]:
    found = collection(session, first=first, last=last, site_id=site_id)
    read_audit.staff_read(
        session, user, at=context.clock.now(), target="collection", detail=f"{first}..{last}"
    )
    return found


RowsDep = Annotated[list[CollectionRow], Depends(_rows)]


def _attachment(extension: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="collection.{extension}"'}


@router.get("/collection")
def collection_report(rows: RowsDep) -> CollectionOut:
    """Billed, collected, outstanding and the rate per month, estate, building and fee."""
    return CollectionOut(
        rows=[CollectionRowOut.of(row) for row in rows], total=CollectionRowOut.of(totals(rows))
    )


@router.get(
    "/collection.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}}
)
def collection_csv(rows: RowsDep) -> Response:
    """The same rows and the total, UTF-8 with a BOM for Excel."""
    body = spreadsheets.to_csv([collection_table(rows)])
    return Response(body, media_type="text/csv; charset=utf-8", headers=_attachment("csv"))


@router.get("/collection.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def collection_xlsx(rows: RowsDep) -> Response:
    """The same rows and the total as an Excel workbook."""
    body = spreadsheets.to_xlsx([collection_table(rows)])
    return Response(body, media_type=XLSX, headers=_attachment("xlsx"))
