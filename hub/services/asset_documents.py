"""An asset's documents: manuals, inspection certificates (with the date they expire) and
warranties, and the certificates about to expire.

An upload is hostile until checked, as a site plan is: its bytes are capped
(`asset_document_max_bytes`) and its type comes from its content, never from the client. A PNG
or JPEG must decode in full and is kept re-encoded; a PDF must start with `%PDF-` and end with
`%%EOF` (a truncated or disguised file does not). Files are served as attachments under a policy
that lets them run and fetch nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.domain import AssetDocumentKind, AssetStatus
from hub.errors import InvalidInput, NotFound, TooLarge
from hub.image_header import read_header
from hub.services import audit, site_plans
from hub.settings import Settings
from hub.storage.models import Asset, AssetDocument, Site, User

PDF = "application/pdf"
_PDF_TAIL = 1024  # %%EOF sits in the last bytes, after at most a few line ends and padding
MAX_WITHIN_DAYS = 3660


@dataclass(frozen=True)
class CheckedDocument:
    data: bytes
    media_type: str


def read_document(stream: BinaryIO, *, settings: Settings) -> CheckedDocument:
    """The upload as a document to keep: `TooLarge` (413) or `InvalidInput` (422) otherwise."""
    limit = settings.asset_document_max_bytes
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(
            f"document: larger than the limit of {limit} bytes; 文件太大",
            code="asset_document_too_large",
        )
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-_PDF_TAIL:]:
            raise InvalidInput(
                "document: the PDF is truncated (no %%EOF); PDF 文件不完整",
                code="asset_document_type",
            )
        return CheckedDocument(data, PDF)
    try:
        read_header(data)
    except InvalidInput:
        raise InvalidInput(
            "document: only PDF, PNG or JPEG files are accepted; 仅支持 PDF/PNG/JPEG",
            code="asset_document_type",
        ) from None
    image = site_plans.read_plan_image(data, settings=settings)
    return CheckedDocument(image.data, image.media_type)


def add_document(
    session: Session,
    asset: Asset,
    document: CheckedDocument,
    *,
    kind: AssetDocumentKind,
    title: str,
    file_name: str,
    expires_on: date | None,
    by: User | None,
    now: datetime,
) -> AssetDocument:
    """Keep a checked document on the asset; the same file under the same title again (the site
    file loaded twice) changes nothing."""
    if not title.strip():
        raise InvalidInput("document: the title is empty; 请填写文件标题", code="invalid_input")
    digest = hashlib.sha256(document.data).hexdigest()
    same = session.scalars(
        select(AssetDocument).where(
            AssetDocument.asset_id == asset.id,
            AssetDocument.title == title,
            AssetDocument.sha256 == digest,
        )
    ).first()
    if same is not None and by is None:
        same.kind, same.expires_on = kind, expires_on
        return same
    row = AssetDocument(
        asset_id=asset.id,
        kind=kind,
        title=title,
        expires_on=expires_on,
        file_name=_file_name(file_name, document.media_type),
        media_type=document.media_type,
        size=len(document.data),
        sha256=digest,
        data=document.data,
        uploaded_at=now,
        uploaded_by_id=by.id if by else None,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        at=now,
        user_id=by.id if by else None,
        action="add_asset_document",
        target=f"asset:{asset.id}",
        detail=f"document:{row.id} {kind.value}",
    )
    return row


def _file_name(name: str, media_type: str) -> str:
    """A safe download name: the client's base name without path or quotes, and the extension
    of what the file really is."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = "".join(c for c in base.rsplit(".", 1)[0] if c.isalnum() or c in "-_ ")[:100]
    ext = {PDF: "pdf", "image/png": "png", "image/jpeg": "jpg"}[media_type]
    return f"{stem.strip() or 'document'}.{ext}"


def list_documents(session: Session, asset_id: int) -> list[AssetDocument]:
    return list(
        session.scalars(
            select(AssetDocument)
            .where(AssetDocument.asset_id == asset_id)
            .order_by(AssetDocument.kind, AssetDocument.title, AssetDocument.id)
        )
    )


def document_or_raise(session: Session, asset_id: int, document_id: int) -> AssetDocument:
    row = session.get(AssetDocument, document_id)
    if row is None or row.asset_id != asset_id:
        raise NotFound(f"document {document_id} of asset {asset_id} not found")
    return row


@dataclass(frozen=True)
class Expiring:
    document: AssetDocument
    asset: Asset
    days_left: int  # negative: expired that many days ago


def local_today(site: Site, now: datetime) -> date:
    return now.astimezone(ZoneInfo(site.timezone)).date()


def expiring(
    session: Session, *, now: datetime, within_days: int, site_id: int | None = None
) -> list[Expiring]:
    """Documents of assets still kept (not retired) that expire within `within_days` of the
    estate's today, or already have: soonest first."""
    if not 0 <= within_days <= MAX_WITHIN_DAYS:
        raise InvalidInput(f"within_days: 0..{MAX_WITHIN_DAYS}", code="invalid_input")
    query = (
        select(AssetDocument, Asset, Site)
        .join(Asset, Asset.id == AssetDocument.asset_id)
        .join(Site, Site.id == Asset.site_id)
        .where(AssetDocument.expires_on.is_not(None), Asset.status != AssetStatus.RETIRED)
        .order_by(AssetDocument.expires_on, AssetDocument.id)
    )
    if site_id is not None:
        query = query.where(Asset.site_id == site_id)
    found = []
    for document, asset, site in session.execute(query):
        assert document.expires_on is not None
        left = (document.expires_on - local_today(site, now)).days
        if left <= within_days:
            found.append(Expiring(document, asset, left))
    return found
