"""The ``skillswap`` command line.

Every module in this package that defines ``register(app: typer.Typer) -> None`` adds its
commands; a new command needs no edit elsewhere.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer
from rich.console import Console

from bot.settings import ConfigError

err_console = Console(stderr=True, soft_wrap=True)


def build_cli() -> typer.Typer:
    app = typer.Typer(
        name="skillswap",
        help="SkillSwap: pair colleagues every week to teach each other what they know.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(app)
    return app


def main() -> None:
    try:
        build_cli()(standalone_mode=True)
    except ConfigError as exc:
        err_console.print(f"[bold red]Configuration error:[/] {exc}")
        sys.exit(2)
