"""Photos attached to repair requests: checked by their bytes, stored under a random name.

The client's file name and content type are never trusted: the magic bytes decide the type,
and the stored name is random so one upload can neither guess nor overwrite another.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hub.errors import InvalidInput, NotFound, TooLarge

UPLOADS = "uploads"

_KINDS: dict[bytes, tuple[str, str]] = {  # magic bytes -> (suffix, media type)
    b"\xff\xd8\xff": (".jpg", "image/jpeg"),
    b"\x89PNG\r\n\x1a\n": (".png", "image/png"),
}
_MEDIA_TYPES = dict(_KINDS.values())


@dataclass(frozen=True)
class Photo:
    """A checked photo not yet written; `name` is the random file name it will get."""

    data: bytes
    name: str


def read_photo(stream: BinaryIO, *, max_bytes: int) -> Photo:
    """Read at most `max_bytes`; `TooLarge` beyond it, `InvalidInput` unless JPEG or PNG."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(
            f"photo: larger than the upload limit of {_human(max_bytes)} "
            f"({max_bytes} bytes); 照片太大"
        )
    for magic, (suffix, _) in _KINDS.items():
        if data.startswith(magic):
            return Photo(data, secrets.token_hex(16) + suffix)
    raise InvalidInput("photo: only JPEG or PNG images are accepted; 仅支持 JPEG/PNG 图片")


def save(photo: Photo, *, var_dir: Path) -> None:
    """Write the photo under `var_dir/uploads` (created on first use), never overwriting."""
    folder = var_dir / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / photo.name).open("xb") as out:
        out.write(photo.data)


def open_stored(name: str, *, var_dir: Path) -> tuple[Path, str]:
    """The path and media type of a stored photo; `NotFound` if it is gone."""
    folder = (var_dir / UPLOADS).resolve()
    path = (folder / name).resolve()
    media_type = _MEDIA_TYPES.get(path.suffix)
    if path.parent != folder or media_type is None or not path.is_file():
        raise NotFound("photo not found")
    return path, media_type


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} KB"
