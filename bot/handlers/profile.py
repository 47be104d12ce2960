"""``/skillswap profile``, the profile modal (open, typeahead, submit)."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

from bot.blocks import members as member_blocks
from bot.blocks.common import text_blocks
from bot.blocks.profile import (
    ProfileAction,
    ProfileBlock,
    ProfileCallback,
    ProfileMeta,
    SkillMenu,
    error_blocks,
    option_dict,
    profile_modal,
    read_submission,
)
from bot.delivery.notices import send_notice
from bot.deps import Deps
from bot.errors import SkillSwapError, UserInputError
from bot.handlers.commands import CommandContext, Reply, Subcommand
from bot.handlers.home import publish_home
from bot.members.catalog import typeahead
from bot.members.identity import SLACKBOT, newcomer, not_a_person_error
from bot.members.profile import ProfileErrors, profile_form, save_profile
from bot.members.views import NearMiss, ProfileView
from bot.slack.actor import Actor
from bot.slack.respond import respond_to

log = logging.getLogger(__name__)

TOO_SLOW = (
    "I couldn't open your profile in time (Slack allows 3 seconds). "
    "Please try `/skillswap profile` again."
)


def open_profile(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    response_url: str | None,
    from_channel: str | None = None,
) -> bool:
    """Open the profile modal; False when Slack refused (usually an expired trigger).

    For someone not yet a member the form is prefilled from Slack (asked before the unit of
    work): their name, team and time zone. ``from_channel`` is the invitation card's channel.
    """
    person = newcomer(deps, client, team_id, user_id)
    with deps.unit_of_work() as session:
        form = profile_form(
            session=session, deps=deps, team_id=team_id, user_id=user_id, person=person
        )
    meta = ProfileMeta(
        response_url=response_url if response_url and len(response_url) < 2000 else None,
        from_channel=from_channel if person is not None else None,
    )
    try:
        client.views_open(trigger_id=trigger_id, view=profile_modal(form, meta))
    except SlackApiError as exc:
        log.warning(
            "views.open failed: %s",
            exc.response.get("error"),
            extra={"team_id": team_id, "user_id": user_id},
        )
        return False
    return True


class ProfileShortcut(StrEnum):
    OPEN = "skillswap_profile"  # the global shortcut *SkillSwap profile*


def profile_command(ctx: CommandContext) -> Reply | None:
    if ctx.user_id == SLACKBOT:
        raise not_a_person_error()
    if not ctx.trigger_id or not open_profile(
        ctx.deps,
        ctx.client,
        team_id=ctx.team_id,
        user_id=ctx.user_id,
        trigger_id=ctx.trigger_id,
        response_url=ctx.respond.response_url,
    ):
        return Reply(text=TOO_SLOW, blocks=text_blocks(TOO_SLOW))
    return None


def _confirm(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    respond: Respond | None,
    profile: ProfileView,
    near: list[NearMiss],
    joined: bool = False,
) -> None:
    """After a save: refresh Home; confirm where the modal came from (``respond``, to the
    response_url of the command that opened it), or DM near-misses. Someone who just joined
    gets the welcome in a DM, like after ``teach``."""
    publish_home(deps, client, team_id, user_id)
    blocks: list[Block] = member_blocks.saved_blocks(profile, near, joined=joined)
    text = "Your SkillSwap profile is saved."
    if respond is not None:
        try:
            respond(
                text=text,
                blocks=blocks,
                response_type="ephemeral",
                replace_original=False,
            )
            return
        except Exception:  # an expired or unreachable response_url: fall back to a DM
            log.info("profile confirmation via response_url failed", extra={"team_id": team_id})
    if (near or joined) and not send_notice(
        deps, team_id=team_id, user_id=user_id, text=text, blocks=[b.to_dict() for b in blocks]
    ):
        log.warning(
            "profile confirmation DM failed", extra={"team_id": team_id, "user_id": user_id}
        )


SUBCOMMANDS = (
    Subcommand(
        name="profile",
        usage="profile",
        summary="open a form with your skills, levels, team, rhythm and breaks",
        handler=profile_command,
        aliases=("edit",),
        order=30,
    ),
)


def register(app: App, deps: Deps) -> None:
    @app.action(ProfileAction.OPEN)
    def on_open(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        ack()
        actor = Actor.of(context)
        team_id, user_id = actor.team_id, actor.user_id
        trigger_id = body.get("trigger_id")
        if not trigger_id or user_id == SLACKBOT:
            return
        opened = open_profile(
            deps,
            client,
            team_id=team_id,
            user_id=user_id,
            trigger_id=str(trigger_id),
            response_url=body.get("response_url"),
        )
        if not opened and body.get("response_url"):
            raise UserInputError(TOO_SLOW)

    @app.shortcut(ProfileShortcut.OPEN.value)
    def on_shortcut(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        ack()
        actor = Actor.of(context)
        trigger_id = body.get("trigger_id")
        if not trigger_id or actor.user_id == SLACKBOT:
            return
        try:
            open_profile(
                deps,
                client,
                team_id=actor.team_id,
                user_id=actor.user_id,
                trigger_id=str(trigger_id),
                response_url=None,
            )
        except SkillSwapError as exc:  # a bot or deactivated account: nothing to open
            log.info(
                "profile shortcut refused: %s",
                type(exc).__name__,
                extra={"team_id": actor.team_id, "user_id": actor.user_id},
            )

    @app.options(SkillMenu.TEACH_1)
    @app.options(SkillMenu.TEACH_2)
    @app.options(SkillMenu.TEACH_3)
    @app.options(SkillMenu.LEARN)
    def on_skill_options(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        team_id = Actor.of(context).team_id
        query = str(body.get("value") or "")
        found = deps.read_mostly(
            lambda session: typeahead(session=session, team_id=team_id, query=query)
        )
        ack(options=[option_dict(o.value, o.text) for o in found])

    @app.view(ProfileCallback.PROFILE)
    def on_submit(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        actor = Actor.of(context)
        team_id, user_id = actor.team_id, actor.user_id
        view = body.get("view") or {}
        form = read_submission(((view.get("state") or {}).get("values")) or {})
        meta = ProfileMeta.load(view.get("private_metadata"))
        try:
            person = newcomer(deps, client, team_id, user_id)
            with deps.unit_of_work() as session:
                profile, near = save_profile(
                    session=session,
                    deps=deps,
                    team_id=team_id,
                    user_id=user_id,
                    person=person,
                    form=form,
                    from_channel=meta.from_channel,
                )
        except ProfileErrors as exc:
            ack(response_action="errors", errors=error_blocks(exc.errors))
            return
        except SkillSwapError as exc:
            ack(response_action="errors", errors={ProfileBlock.TEACH_NEW.value: exc.message})
            return
        ack()
        log.info("profile saved", extra={"team_id": team_id, "user_id": user_id})
        _confirm(
            deps,
            client,
            team_id=team_id,
            user_id=user_id,
            respond=respond_to(context, meta.response_url) if meta.response_url else None,
            profile=profile,
            near=near,
            joined=person is not None,
        )
