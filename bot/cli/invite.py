"""``skillswap invite --channel C… [--channel …] [--dm] [--team T]``: invitations for ops."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from bot.cli._console import fail
from bot.cli._deps import cli_deps
from bot.cli.report import TEAM_HELP, choose_team
from bot.cli.round import _report_delivery, deliver_with_progress
from bot.invitations.people import InviteSummary
from bot.invitations.service import invite
from bot.slack.clients import client_for_team

console = Console(soft_wrap=True)


def summary_table(summary: InviteSummary) -> Table:
    table = Table(title="Invitations")
    table.add_column("what")
    table.add_column("how many", justify="right")
    table.add_row("cards posted (channels)", str(len(summary.accepted)))
    if summary.dm:
        table.add_row("invited", str(summary.invited))
        table.add_row("already members", str(summary.already_members))
        for reason, n in summary.skipped.most_common():
            table.add_row(f"skipped: {reason.value}", str(n))
        for error, n in summary.failed.most_common():
            table.add_row(f"failed: {error}", str(n))
    return table


def register(app: typer.Typer) -> None:
    @app.command("invite")
    def invite_command(
        channel: Annotated[
            list[str],
            typer.Option("--channel", help="A channel id (C…); repeat for several channels."),
        ],
        dm: Annotated[
            bool, typer.Option("--dm", help="Also DM each person an invitation (once ever).")
        ] = False,
        team: Annotated[str | None, typer.Option("--team", help=TEAM_HELP)] = None,
    ) -> None:
        """Post an invitation card in each channel and (--dm) invite each person in them.

        Safe to run again: people already invited, members, bots, guests, deactivated
        accounts and people who left are skipped, and a run killed half-way resumes."""
        with cli_deps() as deps:
            with deps.read_only() as session:
                team_id = choose_team(session=session, team=team)
            client = client_for_team(deps, team_id)
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            ) as progress:
                tasks: dict[str, TaskID] = {}

                def advance(channel_id: str, seen: int, total: int) -> None:
                    if channel_id not in tasks:
                        tasks[channel_id] = progress.add_task(f"Listing {channel_id}", total=total)
                    progress.update(tasks[channel_id], completed=seen, total=total)

                summary = invite(
                    deps, client, team_id=team_id, channels=channel, dm=dm, progress=advance
                )
            for refused in summary.refused:
                console.print(f"[yellow]{refused.message}[/]", highlight=False)
            if not summary.accepted:
                raise fail("No channel could be used; nothing was sent.")
            console.print(summary_table(summary))
            _report_delivery(deliver_with_progress(deps))
