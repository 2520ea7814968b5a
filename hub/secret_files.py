"""Private files under `var/` (keys, photos): created 0600 in one step; key files replaced
atomically and re-read when changed.

`os.open(O_CREAT | O_EXCL, 0o600)` leaves no moment when another user could read a key written
with the default mode, and two processes starting together cannot both create one. Rotation
replaces a file by renaming a complete new one over it, so a reader sees the old keys or the new
ones, never half a file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

_cache: dict[Path, tuple[tuple[int, int, int], str]] = {}


def ensure_dir(folder: Path) -> None:
    """Create `folder` (the var dir) readable by its owner only."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def create(path: Path, content: str) -> bool:
    """Write a new 0600 text file; False if it already exists (someone else created it first)."""
    return create_private(path, content.encode("utf-8"))


def create_private(path: Path, data: bytes) -> bool:
    """Write a new 0600 file in a 0700 folder; False if it already exists."""
    ensure_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    return True


def replace(path: Path, content: str) -> None:
    """Swap in new content atomically, keeping mode 0600."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    create(temporary, content)
    os.replace(temporary, path)


def read(path: Path) -> str:
    """The file's content, read again only when the file changed (a rotation)."""
    info = path.stat()
    signature = (info.st_ino, info.st_mtime_ns, info.st_size)
    cached = _cache.get(path)
    if cached is None or cached[0] != signature:
        cached = (signature, path.read_text(encoding="utf-8").strip())
        _cache[path] = cached
    return cached[1]
