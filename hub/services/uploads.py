"""Photos sent to the hub: bounded in bytes and pixels, decoded in full, stored re-encoded.

The client's file name and content type are never trusted. The header decides the type and the
declared size (refused past `upload_max_pixels` before decoding); the whole image must then
decode, and only the re-encoded JPEG is kept, so a polyglot (a JPEG header over HTML or a ZIP)
never reaches the disk and EXIF (GPS included) is dropped. Decoding runs through a small gate
(`upload_decode_concurrency`, `upload_decode_queue`). Stored names are random so one upload can
neither guess nor overwrite another; files are 0600 in a 0700 folder, and each owner's photos
together stay within `upload_quota_bytes`.
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
from hub.storage.models import User, WorkOrder
from hub.work_gate import WorkGate

UPLOADS = "uploads"

_MEDIA_TYPES = {".jpg": "image/jpeg", ".png": "image/png"}  # .png: stored before re-encoding


@dataclass(frozen=True)
class Photo:
    """A re-encoded JPEG not yet written; `name` is the random file name it will get."""

    data: bytes
    name: str


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


def check_quota(session: Session, owner: User, photo: Photo, *, settings: Settings) -> None:
    """`TooLarge` if `photo` would take the owner's stored photos past `upload_quota_bytes`."""
    quota = settings.upload_quota_bytes
    used = stored_bytes(session, owner, var_dir=settings.var_dir)
    if used + len(photo.data) > quota:
        raise TooLarge(
            f"photo: your photos would exceed your storage quota of {_human(quota)} "
            f"({_human(used)} used); 照片存储空间已满, 请联系物业"
        )


def stored_bytes(session: Session, owner: User, *, var_dir: Path) -> int:
    """The bytes on disk of the photos on `owner`'s repair requests."""
    names = session.scalars(
        sa.select(WorkOrder.photo_path).where(
            WorkOrder.requested_by_id == owner.id, WorkOrder.photo_path.is_not(None)
        )
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
