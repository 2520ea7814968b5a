"""How CLI commands talk to people: rich output, and HubErrors as one clear line."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from hub.errors import HubError

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Print a HubError as `error: ...` and exit 1, instead of a traceback.

    One line even when stderr is not a terminal (no wrapping at 80 columns), and the message is
    plain text: brackets in it are not taken for rich markup.
    """

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except HubError as exc:
            err_console.print(Text.assemble(("error:", "bold red"), " ", str(exc)), soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper
