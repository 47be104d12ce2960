"""``/skillswap admin``: the round settings modal, for SkillSwap admins only.

Who is an admin is checked server-side on opening *and* on saving (a modal can outlive a
demotion): Slack workspace admins and owners, ``ADMIN_USER_IDS``, and the ids saved here.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.admin import (
    AdminAction,
    AdminCallback,
    AdminField,
    saved_modal,
    settings_modal,
)
from bot.deps import Deps
from bot.errors import NotAllowedError
from bot.handlers.commands import CommandContext, Reply, Subcommand
from bot.rounds.preview import preview_next_round, skip_next_round
from bot.rounds.settings import (
    parse_settings,
    save_settings_for,
    settings_view_for,
    who_errors,
    with_slack_facts,
)
from bot.slack.actor import Actor
from bot.workspaces.admins import require_admin

log = logging.getLogger(__name__)

NO_TRIGGER = (
    "I couldn't open the settings form from here. Type `/skillswap admin` in any channel "
    "or DM to try again."
)


def profile_fields(client: WebClient, team_id: str) -> tuple[tuple[str, str], ...]:
    """The workspace's custom profile fields (id, label); none when Slack won't say."""
    try:
        fields = client.team_profile_get()["profile"]["fields"] or []
    except (SlackApiError, KeyError, TypeError) as exc:
        log.info("team.profile.get: %s", type(exc).__name__, extra={"team_id": team_id})
        return ()
    return tuple(
        (str(f["id"]), str(f.get("label") or f["id"]))
        for f in fields
        if isinstance(f, dict) and f.get("id")
    )


def open_settings(ctx: CommandContext) -> Reply | None:
    deps = ctx.deps
    if not ctx.trigger_id:
        return Reply(text=NO_TRIGGER)
    fields = profile_fields(ctx.client, ctx.team_id)  # Slack, before the unit of work
    with deps.unit_of_work() as session:
        shown = settings_view_for(
            session,
            team_id=ctx.team_id,
            enterprise_id=ctx.enterprise_id,
            now=deps.clock.now(),
            profile_fields=fields,
        )
    shown = with_slack_facts(shown, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    view = settings_modal(shown)
    try:
        ctx.client.views_open(trigger_id=ctx.trigger_id, view=view)
    except SlackApiError as exc:
        log.warning(
            "could not open the settings modal: %s",
            exc.response.get("error"),
            extra={"team_id": ctx.team_id, "user_id": ctx.user_id},
        )
        return Reply(
            text="Slack took too long to open the form. Please run `/skillswap admin` again."
        )
    return None


def skip_round(ctx: CommandContext) -> Reply:
    words = ctx.args.strip().lower().split()
    if words not in ([], ["undo"]):
        return Reply(
            text="Use `/skillswap skip-round` to skip the next round, or "
            "`/skillswap skip-round undo` to put it back on."
        )
    message = skip_next_round(
        ctx.deps, team_id=ctx.team_id, user_id=ctx.user_id, now=ctx.deps.clock.now(),
        undo=words == ["undo"],
    )  # fmt: skip
    return Reply(text=message)


def preview(ctx: CommandContext) -> Reply:
    message = preview_next_round(
        ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id, now=ctx.deps.clock.now()
    )
    return Reply(text=message)


def reroll_clicked(
    deps: Deps, body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    """The preview DM's *Re-roll once*: checked on the server (admin, once, still next)."""
    actor = Actor.of(context)
    action = (body.get("actions") or [{}])[0]
    period = str(action.get("value") or "")[:16]
    require_admin(deps, client, team_id=actor.team_id, user_id=actor.user_id)
    message = preview_next_round(
        deps,
        client,
        team_id=actor.team_id,
        user_id=actor.user_id,
        now=deps.clock.now(),
        reroll_of=period,
    )
    respond(text=message, response_type="ephemeral", replace_original=False)


SUBCOMMANDS = (
    Subcommand(
        name="skip-round",
        usage="skip-round [undo]",
        summary="skip the next round (holidays), or put it back on",
        handler=skip_round,
        admin_only=True,
        order=96,
    ),
    Subcommand(
        name="preview",
        usage="preview",
        summary="see the next round's groups in a DM before anyone is told (re-roll once)",
        handler=preview,
        admin_only=True,
        order=97,
        slow=True,
    ),
    Subcommand(
        name="admin",
        usage="admin",
        summary="round settings: how often, day, time, time zone, check-ins",
        handler=open_settings,
        admin_only=True,
        aliases=("settings",),
        order=95,
    ),
)


def register(app: App, deps: Deps) -> None:
    @app.view(AdminCallback.SETTINGS)
    def on_settings_submit(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        actor = Actor.of(context)
        team_id, user_id = actor.team_id, actor.user_id
        values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
        settings, errors = parse_settings(values)
        if settings is None:
            ack(response_action="errors", errors=errors)
            return
        try:
            require_admin(deps, client, team_id=team_id, user_id=user_id)
        except NotAllowedError as exc:
            ack(response_action="errors", errors={AdminField.CADENCE.value: exc.message})
            return
        problems = who_errors(deps, client, team_id=team_id, settings=settings)
        if problems:
            ack(response_action="errors", errors=problems)
            return
        with deps.unit_of_work() as session:
            next_round, rhythm = save_settings_for(
                session, team_id=team_id, settings=settings, now=deps.clock.now()
            )
        done = saved_modal(next_round, rhythm)
        log.info("round settings saved", extra={"team_id": team_id, "user_id": user_id})
        ack(response_action="update", view=done)

    @app.action(AdminAction.PREVIEW_REROLL)
    def on_preview_reroll(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        ack()
        reroll_clicked(deps, body, context, client, respond)
