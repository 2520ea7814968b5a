"""`hub patrol`: print checkpoint QR labels; raise alerts for missed checkpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from adapters.camera.qr import label_png
from hub.cli.core import open_context
from hub.cli.output import console, friendly_errors
from hub.services.patrol import check_missed

patrol_app = typer.Typer(help="Guard patrols (巡更).", no_args_is_help=True)


@patrol_app.command("qr")
@friendly_errors
def qr(
    code: Annotated[str, typer.Argument(help="checkpoint code, e.g. CP-NORTH-GATE")],
    out: Annotated[Path, typer.Option("--out", help="PNG file to write")],
    scale: Annotated[int, typer.Option(min=2, max=40, help="pixels per QR module")] = 10,
) -> None:
    """Write a checkpoint's QR label (a full-size QR code the guard page can read)."""
    out.write_bytes(label_png(code, scale=scale))
    console.print(f"wrote {out}: QR label for checkpoint [bold]{code}[/]")


@patrol_app.command("check-missed")
@friendly_errors
def check_missed_now() -> None:
    """Raise a "漏巡 Missed checkpoint" alert for every window that closed unscanned."""
    context = open_context()
    with context.db.session() as session:
        alerts = check_missed(session, now=context.clock.now())
        reasons = [alert.reason for alert in alerts]
    console.print(f"{len(reasons)} missed checkpoint(s) alerted")
    for reason in reasons:
        console.print(f" - {reason}")
