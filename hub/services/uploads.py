"""Photos sent to the hub: bounded in bytes and pixels, decoded in full, stored re-encoded.

The client's file name and content type are never trusted. The header decides the type and the
declared size (refused past `upload_max_pixels` before decoding); the whole image must then
decode, and only the re-encoded JPEG is kept, so a polyglot (a JPEG header over HTML or a ZIP)
never reaches the disk and EXIF (GPS included) is dropped. Decoding runs through a small gate
(`upload_decode_concurrency`, `upload_decode_queue`). Stored names are random so one upload can
neither guess nor overwrite another; files are 0600 in a 0700 folder, and each owner's photos
together stay within `upload_quota_bytes`.

A short video (MP4 or WebM, hub/video_header.py) is recognised by its container, bounded by
`upload_video_max_bytes` and the same quota, and kept as sent: there is no decoder to re-encode
it with, and it is served only with its own video type.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.orm import Session

from adapters.camera import images
from hub import secret_files
from hub.errors import Conflict, NotFound, TooLarge
from hub.image_header import read_header
from hub.settings import Settings
from hub.storage.models import ComplaintPhoto, User, WorkOrder
from hub.video_header import HEAD_BYTES, MP4, video_type
from hub.work_gate import WorkGate

UPLOADS = "uploads"

_MEDIA_TYPES = {  # .png: stored before re-encoding
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
}


@dataclass(frozen=True)
class Photo:
    """A re-encoded JPEG (or a checked short video) not yet written; `name` is the random file
    name it will get."""

    data: bytes
    name: str
    content_type: str = "image/jpeg"

    @property
    def video(self) -> bool:
        return self.content_type.startswith("video/")


def read_image(stream: BinaryIO, *, max_bytes: int) -> bytes:
    """At most `max_bytes` headed as JPEG or PNG: `TooLarge` beyond, `InvalidInput` otherwise."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(
            f"photo: larger than the upload limit of {_human(max_bytes)} "
            f"({max_bytes} bytes); 照片太大"
        )
    read_header(data)
    return data


@contextmanager
def decoding(settings: Settings) -> Iterator[None]:
    """Hold a decode slot; `ServiceUnavailable` (503, Retry-After) when the queue is full."""
    with _gate(settings.upload_decode_concurrency, settings.upload_decode_queue).slot():
        yield


def read_photo(stream: BinaryIO, *, settings: Settings) -> Photo:
    """A photo to keep: within the byte and pixel limits, decoded in full, re-encoded as JPEG."""
    data = read_image(stream, max_bytes=settings.upload_max_bytes)
    with decoding(settings):
        picture = images.decode(data, max_pixels=settings.upload_max_pixels)
        jpeg = images.to_jpeg(picture)
    return Photo(jpeg, secrets.token_hex(16) + ".jpg")


def read_attachment(stream: BinaryIO, *, settings: Settings) -> Photo:
    """A photo (as `read_photo`) or a short MP4/WebM video, told apart by the first bytes."""
    kind = video_type(stream.read(HEAD_BYTES))
    stream.seek(0)
    if kind is None:
        return read_photo(stream, settings=settings)
    limit = settings.upload_video_max_bytes
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(
            f"video: larger than the limit of {_human(limit)} ({limit} bytes); 视频太大, 请剪短",
            code="video_too_large",
        )
    return Photo(data, secrets.token_hex(16) + (".mp4" if kind == MP4 else ".webm"), kind)


def check_quota(
    session: Session, owner: User, photo: Photo, *, settings: Settings, pending: int = 0
) -> None:
    """`TooLarge` if `photo` would take the owner's stored photos past `upload_quota_bytes`;
    `pending`: the bytes of the photos before it in the same upload."""
    quota = settings.upload_quota_bytes
    used = stored_bytes(session, owner, var_dir=settings.var_dir) + pending
    if used + len(photo.data) > quota:
        raise TooLarge(
            f"photo: your photos would exceed your storage quota of {_human(quota)} "
            f"({_human(used)} used); 照片存储空间已满, 请联系物业"
        )


def stored_bytes(session: Session, owner: User, *, var_dir: Path) -> int:
    """The bytes on disk of the photos on `owner`'s repair requests and those they attached to
    complaints."""
    names = session.scalars(
        sa.select(WorkOrder.photo_path)
        .where(WorkOrder.requested_by_id == owner.id, WorkOrder.photo_path.is_not(None))
        .union_all(sa.select(ComplaintPhoto.name).where(ComplaintPhoto.uploaded_by_id == owner.id))
    )
    folder = var_dir / UPLOADS
    total = 0
    for name in names:
        try:
            total += (folder / str(name)).stat().st_size
        except FileNotFoundError:
            continue
    return total


def save(photo: Photo, *, var_dir: Path) -> None:
    """Write the photo 0600 under `var_dir/uploads` (0700, created on first use), never
    overwriting."""
    folder = var_dir / UPLOADS
    secret_files.ensure_dir(folder)
    folder.chmod(0o700)  # a folder made by an older hub was 0755
    if not secret_files.create_private(folder / photo.name, photo.data):
        raise Conflict(f"photo {photo.name} already exists")


def open_stored(name: str, *, var_dir: Path) -> tuple[Path, str]:
    """The path and media type of a stored photo; `NotFound` if it is gone."""
    folder = (var_dir / UPLOADS).resolve()
    path = (folder / name).resolve()
    media_type = _MEDIA_TYPES.get(path.suffix)
    if path.parent != folder or media_type is None or not path.is_file():
        raise NotFound("photo not found")
    return path, media_type


@lru_cache
def _gate(concurrency: int, queue: int) -> WorkGate:
    return WorkGate(
        concurrency=concurrency,
        queue=queue,
        busy="the hub is busy reading other photos, try again shortly; 系统繁忙, 请稍后重试",
    )


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.4g} MB"
    return f"{size / 1024:.4g} KB"
