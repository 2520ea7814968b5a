"""One backup archive (tar.gz): what goes in, checking it, and putting it back.

Layout: `manifest.json`; `database.sqlite` or `database.pgdump`; `uploads/<photo>`;
`keys/data_key.txt` and `keys/secret_key.txt` (unless left out). The archive holds the keys
that open the owner data, so it is written 0600 and can be sealed with a passphrase. Restore
reads only those names, so a crafted archive cannot write outside var/.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

from hub import secret_files
from hub.backup import database, sealing
from hub.context import HubContext
from hub.data_keys import check_data_key
from hub.errors import ConfigError
from hub.services.uploads import UPLOADS
from hub.storage.db import upgrade

FORMAT = 1
MANIFEST = "manifest.json"
KEY_NAMES = ("data_key", "secret_key")
_UNREADABLE = (tarfile.TarError, EOFError, zlib.error, OSError)


@dataclass(frozen=True)
class Manifest:
    created_at: str
    database: str  # "sqlite" or "postgresql"
    schema: str | None  # PostgreSQL: restored into a schema of this name
    photos: int
    keys: list[str]
    format: int = FORMAT


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    warnings: list[str] = field(default_factory=list)


def default_path(context: HubContext, *, sealed: bool) -> Path:
    stamp = f"{context.clock.now():%Y%m%dT%H%M%SZ}"
    suffix = ".tar.gz.sealed" if sealed else ".tar.gz"
    return context.settings.var_dir / "backups" / f"estate-hub-{stamp}{suffix}"


@contextmanager
def _private(path: Path) -> Iterator[BinaryIO]:
    """A new file only its owner can read, from the first byte on."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as stream:
        yield stream


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    tar.addfile(info, io.BytesIO(data))


def create(
    context: HubContext, *, out: Path | None, passphrase: bytes | None, keys: bool = True
) -> Path:
    """Write a backup of the running hub; returns where it went."""
    settings, engine = context.settings, context.db.engine
    out = out or default_path(context, sealed=passphrase is not None)
    secret_files.ensure_dir(out.parent)
    photos = sorted(p for p in (settings.var_dir / UPLOADS).glob("*") if p.is_file())
    secrets = {name: settings.secret(name, create=False) for name in KEY_NAMES} if keys else {}
    secrets = {name: value for name, value in secrets.items() if value}
    manifest = Manifest(
        created_at=context.clock.now().isoformat(),
        database=database.kind(engine),
        schema=database.schema(engine),
        photos=len(photos),
        keys=sorted(secrets),
    )
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as work_dir:
        work = Path(work_dir)
        dumped = work / database.file_name(engine)
        database.dump(engine, dumped)
        plain = work / "archive.tar.gz"
        with _private(plain) as stream, tarfile.open(fileobj=stream, mode="w:gz") as tar:
            _add(tar, MANIFEST, json.dumps(asdict(manifest), indent=2).encode())
            tar.add(dumped, arcname=dumped.name)
            for photo in photos:
                tar.add(photo, arcname=f"{UPLOADS}/{photo.name}")
            for name, value in secrets.items():
                _add(tar, f"keys/{name}.txt", value.encode() + b"\n")
        final = plain
        if passphrase is not None:
            final = work / "archive.sealed"
            with plain.open("rb") as source, _private(final) as target:
                sealing.seal(source, target, passphrase)
        os.replace(final, out)
    return out


@contextmanager
def _opened(archive: Path, passphrase: bytes | None, work: Path) -> Iterator[tarfile.TarFile]:
    """The archive's tar, unsealed first if it was sealed."""
    if not archive.is_file():
        raise ConfigError(f"no backup at {archive}")
    path = archive
    if sealing.is_sealed(archive):
        if passphrase is None:
            raise ConfigError(f"{archive} is sealed: give --passphrase-file")
        path = work / "archive.tar.gz"
        with archive.open("rb") as source, _private(path) as target:
            sealing.unseal(source, target, passphrase)
    with ExitStack() as stack:
        try:
            tar = stack.enter_context(tarfile.open(path, mode="r:gz"))
            tar.getmembers()  # reads the whole index: a cut-off archive fails here
        except _UNREADABLE as exc:
            raise ConfigError(f"{archive} is not a readable backup: {exc}") from exc
        yield tar


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    try:
        stream = tar.extractfile(member)
        if stream is None:
            raise ConfigError(f"backup member {member.name} is not a file")
        return stream.read()
    except _UNREADABLE as exc:
        raise ConfigError(f"backup member {member.name} cannot be read: {exc}") from exc


def _manifest(tar: tarfile.TarFile) -> Manifest:
    try:
        fields = json.loads(_read(tar, tar.getmember(MANIFEST)))
        manifest = Manifest(**fields)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"not an Estate Hub backup (no readable {MANIFEST})") from exc
    if manifest.format != FORMAT:
        raise ConfigError(f"backup format {manifest.format} is not {FORMAT}: use that hub version")
    return manifest


def verify(context: HubContext, archive: Path, *, passphrase: bytes | None) -> Manifest:
    """Read every byte of a backup and check its database copy, restoring nothing."""
    with tempfile.TemporaryDirectory(prefix="estate-hub-verify-") as work_dir:
        work = Path(work_dir)
        with _opened(archive, passphrase, work) as tar:
            manifest = _manifest(tar)
            for member in tar.getmembers():
                data = _read(tar, member)
                if member.name in (database.SQLITE_FILE, database.PG_FILE):
                    (work / member.name).write_bytes(data)
                    database.check(context.db.engine, work / member.name)
    return manifest


def restore(context: HubContext, archive: Path, *, passphrase: bytes | None) -> Restored:
    """Put a backup back into an empty database and var/, then migrate to the newest schema."""
    settings, engine = context.settings, context.db.engine
    existing = database.tables(engine)
    if existing:
        raise ConfigError(
            f"the database at {engine.url.render_as_string()} is not empty ({len(existing)} "
            f"tables, e.g. {sorted(existing)[0]}): restore needs an empty database "
            "(PostgreSQL: an empty schema of the backup's schema name)"
        )
    secret_files.ensure_dir(settings.var_dir)
    with tempfile.TemporaryDirectory(dir=settings.var_dir, prefix=".restore-") as work_dir:
        work = Path(work_dir)
        with _opened(archive, passphrase, work) as tar:
            manifest = _manifest(tar)
            _check_target(context, manifest)
            secrets: dict[str, str] = {}
            dumped: Path | None = None
            for member in tar.getmembers():
                folder, _, name = member.name.rpartition("/")
                if member.name in (database.SQLITE_FILE, database.PG_FILE):
                    dumped = work / member.name
                    with _private(dumped) as out:
                        out.write(_read(tar, member))
                elif folder == UPLOADS and name and member.isfile():
                    _restore_photo(settings.var_dir / UPLOADS / name, _read(tar, member))
                elif folder == "keys" and name.removesuffix(".txt") in KEY_NAMES:
                    secrets[name.removesuffix(".txt")] = _read(tar, member).decode().strip()
            if dumped is None:
                raise ConfigError(f"{archive} holds no database")
            database.load(engine, dumped)
    warnings = [_restore_key(context, name, value) for name, value in secrets.items()]
    upgrade(engine)
    try:
        check_data_key(engine, settings)
    except ConfigError as exc:
        notes = "".join(f"; {warning}" for warning in warnings if warning)
        raise ConfigError(f"restored, but the owner data cannot be read: {exc}{notes}") from exc
    return Restored(manifest, [w for w in warnings if w])


def _check_target(context: HubContext, manifest: Manifest) -> None:
    engine = context.db.engine
    if manifest.database != database.kind(engine):
        raise ConfigError(
            f"the backup is of a {manifest.database} hub; this one uses {database.kind(engine)}"
        )
    target = database.schema(engine)
    if manifest.schema != target:
        raise ConfigError(
            f"the backup holds schema {manifest.schema!r} but HUB_DATABASE_URL uses {target!r}: "
            f"restore into an empty schema named {manifest.schema!r}"
        )


def _restore_photo(path: Path, data: bytes) -> None:
    """Private like an upload (0600 in a 0700 folder); an existing file is the same photo
    (names are random), so it is kept."""
    secret_files.create_private(path, data)


def _restore_key(context: HubContext, name: str, value: str) -> str:
    """Write var/<name>.txt, moving a different one aside (a key is never destroyed)."""
    settings = context.settings
    path = settings.secret_path(name)
    if path.exists():
        if path.read_text(encoding="utf-8").strip() == value:
            return ""
        stamp = f"{context.clock.now():%Y%m%dT%H%M%SZ}"
        os.replace(path, path.with_name(f"{path.name}.before-restore-{stamp}"))
    secret_files.create(path, value + "\n")
    if getattr(settings, name) and getattr(settings, name) != value:
        return (
            f"HUB_{name.upper()} is set in the environment and differs from the restored "
            f"{path}: the environment wins; set it to the restored key or unset it"
        )
    return ""
