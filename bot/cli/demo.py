"""``skillswap demo``: see SkillSwap work in one command, before creating any Slack app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli._console import err_console, output_console
from bot.demo.run import DEFAULT_OUTPUT, DemoError, run_demo

#: Width when the output is not a terminal (a file, a pipe, CI logs).
PIPED_WIDTH = 100


def make_console() -> Console:
    return output_console(PIPED_WIDTH)


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        output: Annotated[
            Path,
            typer.Option(
                "--output", "-o", help="Folder for the network picture and the HTML report."
            ),
        ] = DEFAULT_OUTPUT,
        verbose: Annotated[
            bool, typer.Option("--verbose", "-v", help="Show the app's logs (INFO).")
        ] = False,
    ) -> None:
        """See SkillSwap work: one week at a fictional 40-person company, in the terminal.

        The real app runs against a built-in Slack simulator on a throw-away database:
        colleagues add skills, a round pairs them, the pairs get their introductions, answer
        the check-in, and the leaders get their summary and the network picture. Nothing is
        sent to Slack; no configuration is needed.
        """
        from bot.logs import configure_logging

        configure_logging("INFO" if verbose else "WARNING")
        try:
            run_demo(make_console(), output=output, log_level="INFO" if verbose else "WARNING")
        except Exception as exc:  # the newcomer gets one clear line, not a traceback
            if verbose:
                err_console.print_exception()
            detail = str(exc) if isinstance(exc, DemoError) else f"{type(exc).__name__}: {exc}"
            err_console.print(f"[bold red]The demo stopped:[/] {detail}", highlight=False)
            err_console.print(
                "Run it again with --verbose to see the app's logs; if it keeps failing, "
                "please report it with that output."
            )
            raise typer.Exit(code=1) from None
