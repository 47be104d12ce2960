"""``skillswap round run [--team T] [--dry-run]`` and ``skillswap round checkins [--now ISO]``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from slack_sdk.errors import SlackApiError

from bot.cli._console import fail as _fail
from bot.cli._deps import cli_deps
from bot.delivery.outbox import HOLD_HORIZON, Claim, count_unfinished
from bot.delivery.worker import DeliveryEvent, DeliveryReport, deliver_pending
from bot.deps import Deps
from bot.rounds.checkins import process_due
from bot.rounds.service import RoundPlan, dry_run, eligibility_for, start_round
from bot.scheduler import ShiftedClock
from bot.slack.clients import client_for_team
from bot.store.workspaces import active_workspaces, get_workspace

console = Console(soft_wrap=True)


def _teams(deps: Deps, team: str | None) -> list[str]:
    with deps.unit_of_work() as session:
        if team is not None:
            if get_workspace(session=session, team_id=team) is None:
                raise _fail(f"No workspace {team} in this database. Check the team id (T…).")
            return [team]
        teams = [w.team_id for w in active_workspaces(session=session)]
    if not teams:
        raise _fail("No workspace in this database yet: install SkillSwap in Slack first.")
    return teams


def _plan_table(plan: RoundPlan) -> Table:
    table = Table(title=f"{plan.team_id} — round {plan.period} (dry run, nothing stored)")
    table.add_column("#", justify="right")
    table.add_column("kind")
    table.add_column("members")
    table.add_column("who teaches what")
    table.add_column("new", justify="center")
    table.add_column("cross-team", justify="center")
    for number, group in enumerate(plan.result.groups, start=1):
        table.add_row(
            str(number),
            group.kind.value,
            ", ".join(plan.name_of(u) for u in group.members),
            "; ".join(
                f"{plan.name_of(t.from_id)} → {plan.name_of(t.to_id)}: {t.skill_label}"
                for t in group.teaches
            ),
            "yes" if group.new_connection else "",
            "yes" if group.cross_team else "",
        )
    return table


def _unmatched_table(plan: RoundPlan) -> Table:
    table = Table(title="Not paired this round")
    table.add_column("member")
    table.add_column("why")
    for left in plan.result.unmatched:
        table.add_row(plan.name_of(left.member), left.why)
    return table


def deliver_with_progress(deps: Deps) -> DeliveryReport:
    """Deliver everything in the outbox, with a progress bar, waiting out retries. Messages
    the clock process holds for their recipients' working morning are left to it."""
    horizon = deps.clock.now() + HOLD_HORIZON
    with deps.unit_of_work() as session:
        total = count_unfinished(session=session, held_after=horizon)
        held = count_unfinished(session=session) - total
    if held:
        console.print(
            f"{held} messages wait for their recipients' working morning; the clock process "
            "(skillswap scheduler) sends them then."
        )
    if total == 0:
        return DeliveryReport()
    with Progress(
        TextColumn("Delivering"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[note]}"),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("deliver", total=total, note="")

        def advance(event: DeliveryEvent, claim: Claim) -> None:
            if event is DeliveryEvent.DEFERRED:
                progress.update(task, note="waiting for Slack (rate limit or retry)…")
            else:
                progress.update(task, advance=1, note="")

        return deliver_pending(deps, until_idle=True, on_progress=advance)


def _report_delivery(report: DeliveryReport) -> None:
    line = f"[green]Delivered {report.delivered} messages[/]"
    if report.resolved:
        line += f" ({report.resolved} were already posted before an interruption)"
    console.print(line + ".")
    if report.failed:
        reasons = ", ".join(f"{k}: {v}" for k, v in sorted(report.failures.items()))
        console.print(
            f"[yellow]{report.failed} could not be delivered[/] ({reasons}). Those groups show "
            "the error in the database (groups.delivery_error); deactivated accounts are "
            "expected, anything else: check the bot token and its scopes."
        )


def register(app: typer.Typer) -> None:
    rounds = typer.Typer(
        help="Rounds: run one now, or catch up on check-ins.", no_args_is_help=True
    )

    @rounds.command("run")
    def run(
        team: Annotated[
            str | None, typer.Option("--team", help="Slack team id (T…); default: every one.")
        ] = None,
        dry: Annotated[
            bool, typer.Option("--dry-run", help="Show the groups; store and send nothing.")
        ] = False,
    ) -> None:
        """Run this period's round now and deliver its messages (once per period)."""
        with cli_deps() as deps:
            now = deps.clock.now()
            for team_id in _teams(deps, team):
                if dry:
                    plan = dry_run(deps, team_id, now=now)
                    console.print(_plan_table(plan))
                    if plan.result.unmatched:
                        console.print(_unmatched_table(plan))
                    stats = plan.result.stats
                    console.print(
                        f"{stats.eligible} eligible, {stats.groups} groups, "
                        f"{stats.unmatched} unmatched, {stats.new_connections} new connections."
                    )
                    continue
                deps.settings.require_token()
                try:
                    eligible = eligibility_for(deps, team_id, client_for_team(deps, team_id))
                except SlackApiError as exc:
                    console.print(
                        f"[yellow]{team_id}: no round[/] — Slack said "
                        f"`{exc.response.get('error')}` while checking who takes part (the "
                        "channels and user groups chosen in `/skillswap admin`)."
                    )
                    continue
                outcome = start_round(deps, team_id, now=now, eligible=eligible)
                if outcome.created:
                    console.print(
                        f"[green]{team_id}: round {outcome.period} stored[/] — "
                        f"{outcome.groups} groups, {outcome.unmatched} unmatched, "
                        f"{outcome.messages} messages to send."
                    )
                else:
                    console.print(f"{team_id}: no new round — {outcome.note}.")
            if not dry:
                _report_delivery(deliver_with_progress(deps))

    @rounds.command("checkins")
    def checkins(
        now: Annotated[
            str | None,
            typer.Option(
                "--now",
                help="Act as if it were this ISO-8601 moment, e.g. 2026-12-10T09:00:00Z "
                "(default: now).",
            ),
        ] = None,
    ) -> None:
        """Send the check-ins and reminders due now (or at --now), and close finished rounds."""
        moment: datetime | None = None
        if now is not None:
            try:
                moment = datetime.fromisoformat(now.strip().replace("Z", "+00:00"))
            except ValueError:
                raise _fail(
                    f"--now {now!r} is not an ISO-8601 time. Example: 2026-12-10T09:00:00Z"
                ) from None
            if moment.tzinfo is None:
                raise _fail(
                    "--now needs a time zone, e.g. 2026-12-10T09:00:00Z or "
                    "2026-12-10T10:00:00+01:00."
                )
        with cli_deps() as deps:
            deps.settings.require_token()
            if moment is not None:
                deps.clock = ShiftedClock(moment)
            at = deps.clock.now()
            report = process_due(deps, at)
            console.print(
                f"At {at.astimezone(UTC):%Y-%m-%d %H:%M} UTC: {report.checkins} check-ins and "
                f"{report.reminders} reminders queued, {report.closed} rounds closed, "
                f"{report.paused} members paused."
            )
            _report_delivery(deliver_with_progress(deps))

    app.add_typer(rounds, name="round")
