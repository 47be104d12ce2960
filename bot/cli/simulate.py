"""``skillswap simulate``: what weeks (or a year) of SkillSwap look like at a company your size."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli._console import err_console, output_console
from bot.demo.simulate import DEFAULT_OUTPUT, run_simulation

#: Width when the output is not a terminal (a file, a pipe, CI logs).
PIPED_WIDTH = 120


def make_console() -> Console:
    return output_console(PIPED_WIDTH)


def register(app: typer.Typer) -> None:
    @app.command("simulate")
    def simulate(
        members: Annotated[
            int, typer.Option("--members", "-m", min=2, max=5000, help="People in the company.")
        ] = 200,
        weeks: Annotated[
            int, typer.Option("--weeks", "-w", min=1, max=104, help="Weekly rounds to run.")
        ] = 12,
        seed: Annotated[
            int, typer.Option("--seed", help="Same seed, same company, same result.")
        ] = 0,
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
        """Weekly rounds (twelve by default) at a synthetic company: what to expect.

        Runs the real round service and matching engine on a throw-away database and shows,
        per round, the pairs, the swaps that happened, new connections, cross-team ties and
        the people never matched; then, week by week, new groups against the most possible
        (an exact maximum matching), repeats, discovery swaps, who was left out and the
        spread of the teach/learn balance (bench/social.py's table); then writes the network
        picture. Exits 1 if the numbers do not add up (our regression check).
        """
        from bot.logs import configure_logging

        level = "INFO" if verbose else "WARNING"
        configure_logging(level)
        try:
            console = make_console()
            with console.status("Starting…") as status:
                result = run_simulation(
                    console,
                    members=members,
                    weeks=weeks,
                    seed=seed,
                    output=output,
                    log_level=level,
                    progress=lambda message: status.update(message),
                )
        except Exception as exc:  # one clear line, not a traceback (--verbose shows it)
            if verbose:
                err_console.print_exception()
            err_console.print(
                f"[bold red]The simulation stopped:[/] {type(exc).__name__}: {exc}",
                highlight=False,
            )
            raise typer.Exit(code=1) from None
        if result.problems:
            raise typer.Exit(code=1)
