"""`hub keys`: check and rotate the data key that encrypts owner personal data."""

from __future__ import annotations

from typing import Annotated

import typer

from hub.cli.core import open_context
from hub.cli.output import console, friendly_errors
from hub.services import key_rotation

keys_app = typer.Typer(help="The data key that encrypts owner personal data.", no_args_is_help=True)


def say(text: str) -> None:
    console.print(text, soft_wrap=True)  # one line: keys and paths stay whole


@keys_app.command("check")
@friendly_errors
def check() -> None:
    """Confirm the configured data key opens the owner data stored in the database."""
    context = open_context()
    found = key_rotation.survey(context.db.engine)
    say(
        f"data key ok: {found.current} values under the newest key, {found.old} under an old "
        f"one, {found.unreadable} unreadable",
    )


@keys_app.command("rotate")
@friendly_errors
def rotate(
    finish: Annotated[
        bool, typer.Option("--finish", help="drop the old keys once no value needs them")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="rows per transaction")] = (
        key_rotation.BATCH_SIZE
    ),
) -> None:
    """Re-encrypt owner data under a new key while the hub keeps running."""
    context = open_context()
    settings = context.settings
    if finish:
        found = key_rotation.finish(context.db.engine, settings)
        where = "remove the old keys from HUB_DATA_KEY" if settings.data_key else "old keys dropped"
        say(f"rotation finished: {found.current} values under the newest key; {where}")
        return
    if key_rotation.add_new_key(settings):
        say(f"new data key added first in {settings.secret_path('data_key')}")
    else:
        say("several data keys configured: re-encrypting under the first")
    done = key_rotation.reencrypt(context.db.engine, batch_size=batch_size)
    say(
        f"re-encrypted {done.reencrypted} values ({done.current} already current, "
        f"{done.unreadable} unreadable and left as they are); "
        "then run `hub keys rotate --finish`",
    )
