"""``skillswap report --output report.html [--team T]``: the leaders' report as one HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from bot.cli._console import fail
from bot.cli._deps import cli_deps
from bot.errors import UserInputError
from bot.insights import text
from bot.insights.load import load_insights
from bot.store.insights import team_ids

console = Console(soft_wrap=True)

TEAM_HELP = "Slack team id (T…); needed when the database holds several workspaces."


def choose_team(*, session: Session, team: str | None) -> str:
    """The workspace to report on: the one given, or the only one in the database."""
    known = team_ids(session=session)
    if team is not None:
        if team not in known:
            listed = ", ".join(known) or "none yet"
            raise UserInputError(f"No workspace {team} in this database (known: {listed}).")
        return team
    if not known:
        raise UserInputError(
            "No workspace in this database yet: install SkillSwap in Slack and run a round first."
        )
    if len(known) > 1:
        raise UserInputError(
            f"This database holds {len(known)} workspaces; choose one with --team "
            f"({', '.join(known)})."
        )
    return known[0]


def check_writable(path: Path) -> None:
    """Fail before any work when the output's folder does not exist."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise fail(f"Could not write {path}: folder {folder} does not exist.", code=1)


def write_text(path: Path, content: str, *, encoding: str = "utf-8") -> None:
    try:
        path.write_text(content, encoding=encoding, newline="")
    except OSError as exc:
        raise fail(f"Could not write {path}: {exc.strerror or exc}.", code=1) from None


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report(
        output: Annotated[
            Path, typer.Option("--output", "-o", help="Where to write the HTML page.")
        ],
        team: Annotated[str | None, typer.Option("--team", help=TEAM_HELP)] = None,
    ) -> None:
        """Write the leaders' report (numbers and pictures) as a self-contained HTML page."""
        # matplotlib loads here, not when the CLI starts: other commands stay quick.
        from bot.insights.charts import render_images
        from bot.insights.html import render_html

        check_writable(output)
        with cli_deps() as deps, deps.unit_of_work() as session:
            team_id = choose_team(session=session, team=team)
            insights = load_insights(session=session, team_id=team_id, now=deps.clock.now())
        write_text(output, render_html(insights, render_images(insights)))
        console.print(f"[green]Wrote {output}[/] for {insights.title}: {text.headline(insights)}")
