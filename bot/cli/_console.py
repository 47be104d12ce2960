"""Consoles shared by the CLI commands (Rich; the package never uses ``print``)."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

#: Errors go to standard error, one unwrapped line each.
err_console = Console(stderr=True, soft_wrap=True)


def output_console(piped_width: int) -> Console:
    """The terminal's width, or ``piped_width`` when writing to a file, a pipe or CI logs."""
    return Console(width=None if sys.stdout.isatty() else piped_width)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Say what went wrong on standard error; the caller raises the returned ``typer.Exit``."""
    err_console.print(f"[bold red]Error:[/] {message}", highlight=False)
    return typer.Exit(code=code)
