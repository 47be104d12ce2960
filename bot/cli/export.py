"""``skillswap export --what members|skills|rounds|feedback --output file.csv [--team T]``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli._deps import cli_deps
from bot.cli.report import TEAM_HELP, check_writable, choose_team, write_text
from bot.insights.export import ENCODING, ExportKind, export_csv
from bot.store.insights import load_input

console = Console(stderr=True, soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export(
        what: Annotated[ExportKind, typer.Option("--what", help="What to export.")],
        output: Annotated[
            Path,
            typer.Option("--output", "-o", help="CSV file to write ('-' for standard output)."),
        ],
        team: Annotated[str | None, typer.Option("--team", help=TEAM_HELP)] = None,
    ) -> None:
        """Export a CSV. Members who left are never included; feedback is counts and
        averages per round, never comments or names."""
        to_stdout = str(output) == "-"
        if not to_stdout:
            check_writable(output)
        with cli_deps() as deps, deps.unit_of_work() as session:
            team_id = choose_team(session=session, team=team)
            data = load_input(session=session, team_id=team_id)
        csv_text = export_csv(what, data, generated_at=deps.clock.now())
        if to_stdout:
            typer.echo(csv_text, nl=False)
            return
        write_text(output, csv_text, encoding=ENCODING)
        rows = max(csv_text.count("\r\n") - 1, 0)
        console.print(f"[green]Wrote {output}[/] ({rows} rows of {what.value}).")
