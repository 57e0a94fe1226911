"""The typer application object and the shared console; commands register themselves on it."""

from __future__ import annotations

import typer
from rich.console import Console

__all__ = ["app", "err_console", "out_console"]

app = typer.Typer(
    name="airdecon",
    help="airdecon: the deconfliction line between parties sharing an airspace.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out_console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)
