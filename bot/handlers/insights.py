"""Leaders' insights in Slack: ``/skillswap stats`` (anyone), ``/skillswap report`` and
``/skillswap export`` (admins), the admins' App Home section and its "full report" button.

The ``/skillswap`` dispatcher has already acked, so rendering pictures and uploading files
happen here, after the unit of work has closed.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks.insights import InsightsAction, home_blocks, stats_blocks, stats_text
from bot.delivery.notices import send_notice
from bot.deps import Deps
from bot.handlers.commands import CommandContext, Reply, Subcommand
from bot.insights.delivery import DeliveryError, deliver_export, deliver_report
from bot.insights.export import ExportKind, filename, parse_kind, table, to_csv
from bot.insights.load import load_insights
from bot.insights.stats import compute_insights
from bot.slack.actor import Actor
from bot.store.insights import load_input
from bot.workspaces.admins import is_admin
from bot.workspaces.install import learn_workspace_name

log = logging.getLogger(__name__)

PREPARING = (
    ":bar_chart: Putting your SkillSwap report together \u2014 it will be in your DM with me "
    "in a few seconds."
)
NOT_ADMIN_HOME = (
    "Only SkillSwap admins can get the full report. Ask a Slack workspace admin if you need it."
)


def stats(ctx: CommandContext) -> Reply:
    """``/skillswap stats``: a short summary for anyone."""
    with ctx.deps.unit_of_work() as session:
        insights = load_insights(session=session, team_id=ctx.team_id, now=ctx.deps.clock.now())
    return Reply(text=stats_text(insights), blocks=stats_blocks(insights))


def report(ctx: CommandContext) -> Reply | None:
    """``/skillswap report`` (admins; the dispatcher checks): the report with pictures, in a DM."""
    deps = ctx.deps
    learn_workspace_name(deps, ctx.client, team_id=ctx.team_id)
    with deps.unit_of_work() as session:
        insights = load_insights(session=session, team_id=ctx.team_id, now=deps.clock.now())
    ctx.respond(text=PREPARING, response_type="ephemeral", replace_original=False)
    deliver_report(ctx.client, insights, user_id=ctx.user_id)
    return None


def export(ctx: CommandContext) -> Reply:
    """``/skillswap export <what>`` (admins; checked by the dispatcher): a CSV in the admin's DM."""
    deps = ctx.deps
    with deps.unit_of_work() as session:
        kind = parse_kind(ctx.args)
        data = load_input(session=session, team_id=ctx.team_id)
    now = deps.clock.now()
    insights = compute_insights(data, generated_at=now)
    header, rows = table(kind, data, insights)
    name = filename(kind, ctx.team_id, now)
    deliver_export(
        ctx.client,
        insights,
        user_id=ctx.user_id,
        kind=kind,
        csv_text=to_csv(header, rows),
        filename=name,
    )
    return Reply(text=f":inbox_tray: `{name}` is in your DM with me ({len(rows)} rows).")


def home_section(
    *, session: Session, deps: Deps, team_id: str, user_id: str, admin: bool
) -> list[Any]:
    """The admins' headline numbers on the App Home; nothing for everyone else."""
    if not admin:
        return []
    return list(home_blocks(load_insights(session=session, team_id=team_id, now=deps.clock.now())))


def _tell(deps: Deps, team_id: str, user_id: str, message: str) -> None:
    """A DM through the outbox (the Home has no response_url to answer on)."""
    if not send_notice(deps, team_id=team_id, user_id=user_id, text=message):
        log.warning("could not DM the member", extra={"team_id": team_id, "user_id": user_id})


SUBCOMMANDS = (
    Subcommand(
        name="stats",
        usage="stats",
        summary="SkillSwap in numbers: members, swaps, new connections, skill gaps",
        handler=stats,
        order=80,
    ),
    Subcommand(
        name="report",
        usage="report",
        summary="the full report with the connection network, in a DM",
        handler=report,
        admin_only=True,
        slow=True,
        order=90,
    ),
    Subcommand(
        name="export",
        usage=f"export {'|'.join(k.value for k in ExportKind)}",
        summary="a CSV file in a DM; feedback only as counts and averages",
        handler=export,
        admin_only=True,
        slow=True,
        order=91,
    ),
)
HOME_SECTIONS = (home_section,)


def register(app: App, deps: Deps) -> None:

    @app.action(InsightsAction.FULL_REPORT.value)
    def on_full_report(ack: Ack, context: BoltContext, client: WebClient) -> None:
        ack()
        actor = Actor.of(context)
        team_id, user_id = actor.team_id, actor.user_id
        extra = {"team_id": team_id, "user_id": user_id}
        insights = None
        if is_admin(deps, client, team_id=team_id, user_id=user_id):
            learn_workspace_name(deps, client, team_id=team_id)
            with deps.unit_of_work() as session:
                insights = load_insights(session=session, team_id=team_id, now=deps.clock.now())
        if insights is None:
            log.info("full report refused: not an admin", extra=extra)
            _tell(deps, team_id, user_id, NOT_ADMIN_HOME)
            return
        try:
            deliver_report(client, insights, user_id=user_id)
        except DeliveryError as exc:  # no response_url from the Home: say it in the DM
            _tell(deps, team_id, user_id, exc.message)
