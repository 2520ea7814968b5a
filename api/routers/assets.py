"""The equipment ledger (设施台账): assets, their devices, documents, history, QR labels and the
spreadsheet import and export. Staff who look after equipment read it; admins change it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.deps import ContextDep, SessionDep, require_role
from api.params import DB_ID_MAX, IdField, ObjectId, QueryId
from api.routers.devices import DeviceOut, device_out
from api.routers.service_analysis import XLSX
from api.routers.site_plans import IMAGE_HEADERS
from hub.domain import AssetClass, AssetDocumentKind, AssetStatus, Role
from hub.errors import InvalidInput
from hub.services import asset_documents, asset_import, asset_labels, assets, devices
from hub.storage.models import Asset, AssetDocument, Site, User

router = APIRouter(prefix="/assets", tags=["assets"])

Reader = Annotated[
    User,
    Depends(require_role(Role.ADMIN, Role.OPERATOR, Role.TECHNICIAN, Role.CUSTOMER_SERVICE)),
]
Admin = Annotated[User, Depends(require_role(Role.ADMIN))]

Text200 = Annotated[str, Field(max_length=200)]
FILE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-cache",
}


class AssetOut(BaseModel):
    id: int
    site_id: int
    code: str
    name: str
    asset_class: AssetClass
    building_id: int | None
    building_name: str | None
    location: str
    vendor: str
    model: str
    serial: str
    install_date: date | None
    warranty_end: date | None
    contractor: str = Field(description="the maintenance contractor (维保单位)")
    status: AssetStatus
    created_at: datetime
    updated_at: datetime


class AssetDocumentOut(BaseModel):
    id: int
    kind: AssetDocumentKind
    title: str
    expires_on: date | None
    expires_in_days: int | None = Field(
        description="days from the estate's today to expires_on; negative: expired"
    )
    file_name: str
    media_type: str
    size: int
    uploaded_at: datetime


class AssetChangeOut(BaseModel):
    at: datetime
    by: str | None = Field(description="username; null: the site file or the hub")
    field: str = Field(description="an asset field, or devices for the linked devices")
    old: str
    new: str


class AssetDetail(AssetOut):
    devices: list[DeviceOut] = Field(description="the devices that report on it, meters too")
    documents: list[AssetDocumentOut]
    history: list[AssetChangeOut] = Field(description="newest first")


class AssetIn(BaseModel):
    site_id: IdField
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    asset_class: AssetClass
    building_id: IdField | None = None
    location: Text200 = ""
    vendor: Text200 = ""
    model: Text200 = ""
    serial: Text200 = ""
    install_date: date | None = None
    warranty_end: date | None = None
    contractor: Text200 = ""
    status: AssetStatus = AssetStatus.IN_SERVICE


class AssetPatch(BaseModel):
    """Only the fields given change; building_id, install_date and warranty_end may be null."""

    code: str | None = Field(default=None, min_length=1, max_length=64)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    asset_class: AssetClass | None = None
    building_id: IdField | None = None
    location: Text200 | None = None
    vendor: Text200 | None = None
    model: Text200 | None = None
    serial: Text200 | None = None
    install_date: date | None = None
    warranty_end: date | None = None
    contractor: Text200 | None = None
    status: AssetStatus | None = None


NULLABLE = frozenset({"building_id", "install_date", "warranty_end"})


class AssetDevicesIn(BaseModel):
    device_ids: list[IdField] = Field(max_length=200, description="exactly these; [] unlinks all")


class AssetExpiringOut(BaseModel):
    asset_id: int
    asset_code: str
    asset_name: str
    site_id: int
    document: AssetDocumentOut


class AssetRowErrorOut(BaseModel):
    row: int = Field(description="the sheet's row number; the header is row 1")
    column: str = Field(description='the column letter, e.g. "C"; empty: the whole row')
    field: str = Field(description="the column's key, e.g. install_date")
    code: str = Field(description="translated under errors.<code>")
    message: str


class AssetImportOut(BaseModel):
    dry_run: bool
    applied: bool = Field(description="false: nothing was written (a dry run, or bad rows)")
    rows: int
    created: int
    updated: int
    unchanged: int
    errors: list[AssetRowErrorOut]


def _out(asset: Asset) -> AssetOut:
    return AssetOut(**_fields(asset))


def _fields(asset: Asset) -> dict[str, object]:
    return {
        "id": asset.id,
        "site_id": asset.site_id,
        **{name: getattr(asset, name) for name in assets.EDITABLE},
        "building_name": asset.building.name if asset.building else None,
        "created_at": asset.created_at,
        "updated_at": asset.updated_at,
    }


def _document_out(row: AssetDocument, days_left: int | None) -> AssetDocumentOut:
    return AssetDocumentOut(
        id=row.id,
        kind=row.kind,
        title=row.title,
        expires_on=row.expires_on,
        expires_in_days=days_left,
        file_name=row.file_name,
        media_type=row.media_type,
        size=row.size,
        uploaded_at=row.uploaded_at,
    )


def _days_left(session: Session, asset: Asset, row: AssetDocument, now: datetime) -> int | None:
    if row.expires_on is None:
        return None
    site = session.get(Site, asset.site_id)
    assert site is not None
    return (row.expires_on - asset_documents.local_today(site, now)).days


def _detail(session: Session, asset: Asset, now: datetime) -> AssetDetail:
    linked = devices.summarise(session, assets.linked_devices(session, asset.id))
    return AssetDetail(
        **_fields(asset),
        devices=[device_out(s) for s in linked],
        documents=[
            _document_out(d, _days_left(session, asset, d, now))
            for d in asset_documents.list_documents(session, asset.id)
        ],
        history=[
            AssetChangeOut(at=c.at, by=username, field=c.field, old=c.old, new=c.new)
            for c, username in assets.history(session, asset.id)
        ],
    )


def _filter(
    site_id: Annotated[QueryId, Query(description="estate")] = None,
    building_id: QueryId = None,
    asset_class: AssetClass | None = None,
    status: AssetStatus | None = None,
    q: Annotated[
        str | None, Query(max_length=100, description="code, name, location, serial, vendor")
    ] = None,
) -> assets.AssetFilter:
    return assets.AssetFilter(site_id, building_id, asset_class, status, q)


FilterDep = Annotated[assets.AssetFilter, Depends(_filter)]


@router.get("")
def list_assets(session: SessionDep, _: Reader, where: FilterDep) -> list[AssetOut]:
    """The ledger by estate and code."""
    return [_out(a) for a in assets.search(session, where)]


@router.post("", status_code=201)
def create_asset(
    body: AssetIn, session: SessionDep, context: ContextDep, user: Admin
) -> AssetDetail:
    """A new asset in an estate's ledger; its code must be new in that estate."""
    data = assets.AssetData(**body.model_dump(exclude={"site_id"}))
    now = context.clock.now()
    asset = assets.create(session, site_id=body.site_id, data=data, by=user, now=now)
    return _detail(session, asset, now)


@router.get("/expiring-documents")
def expiring_documents(
    session: SessionDep,
    context: ContextDep,
    _: Reader,
    within_days: Annotated[int, Query(ge=0, le=asset_documents.MAX_WITHIN_DAYS)] = 30,
    site_id: QueryId = None,
) -> list[AssetExpiringOut]:
    """Certificates and other dated documents of assets in use that expire within
    `within_days`, or already have, soonest first."""
    found = asset_documents.expiring(
        session, now=context.clock.now(), within_days=within_days, site_id=site_id
    )
    return [
        AssetExpiringOut(
            asset_id=e.asset.id,
            asset_code=e.asset.code,
            asset_name=e.asset.name,
            site_id=e.asset.site_id,
            document=_document_out(e.document, e.days_left),
        )
        for e in found
    ]


@router.get("/export.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def export_xlsx(session: SessionDep, context: ContextDep, _: Reader, where: FilterDep) -> Response:
    """The ledger (as filtered) as an Excel workbook that the import reads back."""
    data = asset_import.to_xlsx(session, assets.search(session, where))
    name = f"assets-{context.clock.now():%Y%m%d}.xlsx"
    return Response(
        data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post("/import")
def import_assets(
    session: SessionDep,
    context: ContextDep,
    user: Admin,
    site_id: Annotated[int, Form(ge=1, le=DB_ID_MAX)],
    file: Annotated[UploadFile, File(description="an .xlsx workbook, header in row 1")],
    dry_run: Annotated[bool, Form(description="check and count, write nothing")] = False,
) -> AssetImportOut:
    """Rows of a spreadsheet into an estate's ledger, all or nothing: one bad row and nothing is
    written; the answer names each bad cell by row, column and code. docs/maintenance.md lists
    the columns."""
    rows = asset_import.read_workbook(file.file, settings=context.settings)
    report = asset_import.import_rows(
        session, rows, site_id=site_id, dry_run=dry_run, by=user, now=context.clock.now()
    )
    return AssetImportOut(
        dry_run=dry_run,
        applied=report.applied,
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        errors=[AssetRowErrorOut(**vars(e)) for e in report.errors],
    )


@router.get("/{asset_id}")
def get_asset(
    asset_id: ObjectId, session: SessionDep, context: ContextDep, _: Reader
) -> AssetDetail:
    """One asset with its devices (state, last seen), documents and change history."""
    return _detail(session, assets.get_or_raise(session, asset_id), context.clock.now())


@router.patch("/{asset_id}")
def update_asset(
    asset_id: ObjectId, body: AssetPatch, session: SessionDep, context: ContextDep, user: Admin
) -> AssetDetail:
    """Change the fields given; each changed field is kept in the history with old and new."""
    asset = assets.get_or_raise(session, asset_id)
    changes = body.model_dump(exclude_unset=True)
    cleared = sorted(k for k, v in changes.items() if v is None and k not in NULLABLE)
    if cleared:
        raise InvalidInput(f"asset: {', '.join(cleared)} cannot be null", code="invalid_input")
    now = context.clock.now()
    assets.update(session, asset, changes, by=user, now=now)
    return _detail(session, asset, now)


@router.put("/{asset_id}/devices")
def set_devices(
    asset_id: ObjectId, body: AssetDevicesIn, session: SessionDep, context: ContextDep, user: Admin
) -> AssetDetail:
    """Link exactly these devices of the asset's estate to it (a device reports on one asset)."""
    asset = assets.get_or_raise(session, asset_id)
    now = context.clock.now()
    assets.set_devices(session, asset, body.device_ids, by=user, now=now)
    return _detail(session, asset, now)


@router.post("/{asset_id}/documents", status_code=201)
def add_document(
    asset_id: ObjectId,
    session: SessionDep,
    context: ContextDep,
    user: Admin,
    kind: Annotated[AssetDocumentKind, Form()],
    title: Annotated[str, Form(min_length=1, max_length=200)],
    file: Annotated[UploadFile, File(description="PDF, PNG or JPEG")],
    expires_on: Annotated[date | None, Form(description="an inspection certificate's")] = None,
) -> AssetDocumentOut:
    """Keep a manual, certificate or warranty on the asset; its type is read from its bytes."""
    asset = assets.get_or_raise(session, asset_id)
    checked = asset_documents.read_document(file.file, settings=context.settings)
    now = context.clock.now()
    row = asset_documents.add_document(
        session,
        asset,
        checked,
        kind=kind,
        title=title,
        file_name=file.filename or title,
        expires_on=expires_on,
        by=user,
        now=now,
    )
    return _document_out(row, _days_left(session, asset, row, now))


@router.get("/{asset_id}/documents")
def list_documents(
    asset_id: ObjectId, session: SessionDep, context: ContextDep, _: Reader
) -> list[AssetDocumentOut]:
    """The asset's documents (metadata; the file is its own download)."""
    asset = assets.get_or_raise(session, asset_id)
    now = context.clock.now()
    return [
        _document_out(d, _days_left(session, asset, d, now))
        for d in asset_documents.list_documents(session, asset.id)
    ]


@router.get(
    "/{asset_id}/documents/{document_id}/file",
    response_class=Response,
    responses={200: {"content": {asset_documents.PDF: {}, "image/png": {}, "image/jpeg": {}}}},
)
def document_file(
    asset_id: ObjectId, document_id: ObjectId, session: SessionDep, _: Reader
) -> Response:
    """The document as checked and stored, as a download that can run and fetch nothing."""
    row = asset_documents.document_or_raise(session, asset_id, document_id)
    disposition = f"attachment; filename=\"document\"; filename*=UTF-8''{quote(row.file_name)}"
    return Response(
        row.data,
        media_type=row.media_type,
        headers={**FILE_HEADERS, "Content-Disposition": disposition},
    )


@router.get(
    "/{asset_id}/label.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def label(
    asset_id: ObjectId, request: Request, session: SessionDep, context: ContextDep, _: Reader
) -> Response:
    """A printable QR label leading to the asset's console page (`public_url`, else this
    address), with its code and name."""
    asset = assets.get_or_raise(session, asset_id)
    base = context.settings.public_url or str(request.base_url)
    svg = asset_labels.label_svg(
        asset_labels.console_url(base, asset.id), code=asset.code, name=asset.name
    )
    return Response(svg, media_type="image/svg+xml", headers=IMAGE_HEADERS)
