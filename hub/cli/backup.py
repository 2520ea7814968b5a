"""`hub backup`: write, check and restore one archive of database, photos and keys."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hub.backup import archive
from hub.backup.sealing import read_passphrase
from hub.cli.core import open_context
from hub.cli.output import console, friendly_errors
from hub.context import HubContext
from hub.settings import get_settings

backup_app = typer.Typer(
    help="Backups: database, uploaded photos and key files in one archive.", no_args_is_help=True
)

PassphraseFile = Annotated[
    Path | None,
    typer.Option(
        "--passphrase-file",
        exists=True,
        dir_okay=False,
        help="seal (or open) the archive with the passphrase in this file",
    ),
]


def say(text: str) -> None:
    console.print(text, soft_wrap=True)  # one line: paths stay whole


def _passphrase(path: Path | None) -> bytes | None:
    return None if path is None else read_passphrase(path)


@backup_app.command("create")
@friendly_errors
def create(
    out: Annotated[
        Path | None, typer.Option("--out", help="archive path; default var/backups/<time>")
    ] = None,
    passphrase_file: PassphraseFile = None,
    no_keys: Annotated[
        bool, typer.Option("--no-keys", help="leave the key files out (keep them elsewhere)")
    ] = False,
) -> None:
    """Back up the running hub: the database, var/uploads and the key files."""
    context = open_context()
    path = archive.create(
        context, out=out, passphrase=_passphrase(passphrase_file), keys=not no_keys
    )
    holds = "no keys" if no_keys else "the keys: guard it like them"
    say(f"backup written to {path} ({path.stat().st_size} bytes; {holds})")


@backup_app.command("verify")
@friendly_errors
def verify(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="the archive")],
    passphrase_file: PassphraseFile = None,
) -> None:
    """Read a whole backup and check its database copy, restoring nothing."""
    context = HubContext.from_settings(get_settings())
    manifest = archive.verify(context, file, passphrase=_passphrase(passphrase_file))
    say(
        f"backup ok: {manifest.database} database, {manifest.photos} photos, "
        f"keys: {', '.join(manifest.keys) or 'none'}; made {manifest.created_at}"
    )


@backup_app.command("restore")
@friendly_errors
def restore(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="the archive")],
    passphrase_file: PassphraseFile = None,
) -> None:
    """Restore into an empty database: data, photos and keys, then migrate to the newest schema."""
    context = HubContext.from_settings(get_settings())  # keys come from the archive
    restored = archive.restore(context, file, passphrase=_passphrase(passphrase_file))
    for warning in restored.warnings:
        say(f"warning: {warning}")
    manifest = restored.manifest
    say(
        f"restored the backup of {manifest.created_at}: {manifest.database} database, "
        f"{manifest.photos} photos, keys: {', '.join(manifest.keys) or 'none'}"
    )
