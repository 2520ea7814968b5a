"""Site plans: an estate's plan and its buildings' floor plans, with devices placed on them.

An uploaded plan is hostile until checked. Its bytes are capped (`plan_max_bytes`) and its type
comes from its content, never from the client: a PNG or JPEG must decode in full within
`upload_max_pixels` and is kept re-encoded (trailing data and metadata dropped); an SVG must
parse as XML without a DTD or entities (defusedxml) and is refused if it could run or fetch
anything: a script, an element outside SVG (foreignObject carries HTML), an event handler
attribute, or a link or style reference that is not to a fragment of the same file. Refusing,
rather than cleaning, keeps what is served byte for byte what was checked.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO
from xml.etree.ElementTree import Element

import cv2
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.camera import images
from hub.errors import InvalidInput, NotFound, TooLarge
from hub.image_header import JPEG, read_header
from hub.services import uploads
from hub.settings import Settings
from hub.storage.models import Building, Device, SitePlan, User

SVG = "image/svg+xml"
_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# What a floor plan is drawn with; anything else (script, foreignObject, iframe, animate that
# could rewrite a link, image that fetches) is refused.
_SVG_ELEMENTS = frozenset(
    [
        "svg",
        "g",
        "defs",
        "symbol",
        "use",
        "title",
        "desc",
        "metadata",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "textPath",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "mask",
        "pattern",
        "marker",
        "filter",
        "feGaussianBlur",
        "feOffset",
        "feBlend",
        "feColorMatrix",
        "feFlood",
        "feComposite",
        "feMerge",
        "feMergeNode",
        "style",
        "switch",
    ]
)
_URL = re.compile(r"url\s*\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import|expression\s*\(|javascript:", re.IGNORECASE)


@dataclass(frozen=True)
class CheckedPlan:
    """An image fit to keep and to serve as it is."""

    data: bytes
    media_type: str
    width: int | None
    height: int | None


def read_plan(stream: BinaryIO, *, settings: Settings) -> CheckedPlan:
    """The upload as a plan to keep: `TooLarge` (413) or `InvalidInput` (422) otherwise."""
    limit = settings.plan_max_bytes
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(
            f"plan: larger than the limit of {limit} bytes; 平面图文件太大", code="plan_too_large"
        )
    if data.lstrip()[:1] == b"<":
        width, height = svg_size(check_svg(data))
        return CheckedPlan(data, SVG, width, height)
    return read_plan_image(data, settings=settings)


def read_plan_image(data: bytes, *, settings: Settings) -> CheckedPlan:
    """A PNG or JPEG decoded in full within the pixel limit and re-encoded in its own type
    (trailing data and metadata dropped); `InvalidInput` for anything else."""
    header = read_header(data)  # PNG or JPEG by its magic bytes, else InvalidInput
    with uploads.decoding(settings):
        picture = images.decode(data, max_pixels=settings.upload_max_pixels)
        kept = images.to_jpeg(picture) if header.media_type == JPEG else _png(picture)
    return CheckedPlan(kept, header.media_type, header.width, header.height)


def _png(picture: object) -> bytes:
    ok, encoded = cv2.imencode(".png", picture)  # type: ignore[call-overload]
    if not ok:
        raise InvalidInput("plan: the image could not be stored; 平面图无法保存")
    return bytes(encoded.tobytes())


def check_svg(data: bytes) -> Element:
    """The root of `data` if it is an SVG that can neither run script nor load anything from
    elsewhere."""
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise InvalidInput(
            f"plan: not a well-formed SVG ({exc}); 平面图不是有效的 SVG", code="plan_not_svg"
        ) from None
    if root.tag != f"{_SVG_NS}svg":
        raise InvalidInput(
            "plan: the file is neither PNG, JPEG nor SVG; 仅支持 PNG/JPEG/SVG", code="plan_not_svg"
        )
    for element in root.iter():
        problem = _svg_problem(element)
        if problem is not None:
            raise InvalidInput(
                f"plan: SVG refused: {problem}; SVG 含有脚本或外部引用, 已拒绝",
                code="plan_svg_unsafe",
            )
    return root


def svg_size(root: Element) -> tuple[int | None, int | None]:
    """The drawing's width and height in its own units (viewBox, else width and height), so a
    page can keep its proportions; None when it declares neither."""
    numbers = re.findall(r"[-+]?[0-9]*\.?[0-9]+", root.get("viewBox", ""))
    if len(numbers) == 4:
        sizes = [float(numbers[2]), float(numbers[3])]
    else:
        sizes = [
            float(m[1])
            if (m := re.match(r"\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$", root.get(a, "")))
            else 0
            for a in ("width", "height")
        ]
    if min(sizes) <= 0:
        return None, None
    return round(sizes[0]), round(sizes[1])


def _svg_problem(element: Element) -> str | None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if not tag.startswith(_SVG_NS) or tag[len(_SVG_NS) :] not in _SVG_ELEMENTS:
        return f"element <{tag.rsplit('}', 1)[-1] or '?'}> is not allowed"
    for name, value in element.attrib.items():
        local = name.rsplit("}", 1)[-1].lower()
        if local.startswith("on"):
            return f"event handler attribute {local!r}"
        if (name == _XLINK_HREF or local == "href") and not value.strip().startswith("#"):
            return f"link to {value[:80]!r} (only #fragments of the same file)"
        if local == "style" and _css_problem(value):
            return "style attribute loads from elsewhere"
    if tag == f"{_SVG_NS}style" and _css_problem(element.text or ""):
        return "<style> loads from elsewhere"
    return None


def _css_problem(css: str) -> bool:
    if _CSS_IMPORT.search(css):
        return True
    return any(not target.startswith("#") for target in _URL.findall(css))


def save_plan(
    session: Session,
    plan: CheckedPlan,
    *,
    site_id: int,
    building_id: int | None,
    floor: str,
    name: str,
    by: User | None,
    now: datetime,
) -> SitePlan:
    """Store the plan of the estate (no building) or of a building's floor; an upload for the
    same place replaces the image and keeps the devices placed on it. `by` None: the site file,
    whose same image loaded again changes nothing."""
    if building_id is not None:
        building = session.get(Building, building_id)
        if building is None or building.site_id != site_id:
            raise NotFound(f"building {building_id} not found in estate {site_id}")
    floor = floor.strip() if building_id is not None else ""
    query = select(SitePlan).where(SitePlan.site_id == site_id, SitePlan.floor == floor)
    query = query.where(
        SitePlan.building_id.is_(None)
        if building_id is None
        else SitePlan.building_id == building_id
    )
    row = session.scalars(query).one_or_none()
    digest = hashlib.sha256(plan.data).hexdigest()
    if row is not None and by is None and (row.sha256, row.name) == (digest, name):
        return row
    if row is None:
        row = SitePlan(site_id=site_id, building_id=building_id, floor=floor)
        session.add(row)
    row.name = name
    row.media_type = plan.media_type
    row.width, row.height = plan.width, plan.height
    row.size = len(plan.data)
    row.sha256 = digest
    row.data = plan.data
    row.uploaded_at = now
    row.uploaded_by_id = by.id if by is not None else None
    session.flush()
    return row


def list_plans(session: Session, *, site_id: int | None = None) -> list[SitePlan]:
    """Estate plans first, then buildings' floors in order."""
    query = select(SitePlan).order_by(
        SitePlan.site_id, SitePlan.building_id.is_not(None), SitePlan.building_id, SitePlan.floor
    )
    if site_id is not None:
        query = query.where(SitePlan.site_id == site_id)
    return list(session.scalars(query))


def get_or_raise(session: Session, plan_id: int) -> SitePlan:
    plan = session.get(SitePlan, plan_id)
    if plan is None:
        raise NotFound(f"site plan {plan_id} not found")
    return plan


def place(
    session: Session, device: Device, *, plan_id: int | None, x: float | None, y: float | None
) -> Device:
    """Put the device's icon at (x, y), fractions of the plan's size; no plan takes it off."""
    if plan_id is None:
        device.plan_id = device.plan_x = device.plan_y = None
        return device
    plan = get_or_raise(session, plan_id)
    if plan.site_id != device.site_id:
        raise InvalidInput(
            f"plan {plan_id} is of another estate than device {device.code}",
            code="plan_other_estate",
        )
    if x is None or y is None:
        raise InvalidInput(
            "placement: give x and y (fractions 0..1 of the plan)", code="placement_incomplete"
        )
    device.plan_id, device.plan_x, device.plan_y = plan.id, x, y
    session.flush()
    return device
