"""Invitations: *Invite people* (admins only, checked on the server at every step), the
*Join SkillSwap* button, people joining the SkillSwap channel, and *Don't remind me*."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.blocks.common import text_blocks
from bot.blocks.invitations import (
    DM_OPTION,
    FIELD_ACTION,
    MAX_CHANNELS,
    InviteAction,
    InviteCallback,
    InviteField,
    JoinValue,
    adoption_lines,
    invite_modal,
    started_modal,
)
from bot.deps import Deps
from bot.errors import NotAllowedError, UserInputError
from bot.handlers.commands import CommandContext, Reply, Subcommand
from bot.handlers.profile import TOO_SLOW, open_profile
from bot.invitations.service import invite, invite_newcomer
from bot.members.identity import SLACKBOT
from bot.members.nudges import stop_nudges
from bot.slack.actor import Actor
from bot.store import invitations as store
from bot.store.workspaces import get_workspace
from bot.workspaces.admins import require_admin

log = logging.getLogger(__name__)

NO_TRIGGER = "I couldn't open the form from here. Type `/skillswap invite` to try again."


def open_invite(ctx: CommandContext) -> Reply | None:
    """``/skillswap invite`` (admins): the channel picker."""
    if not ctx.trigger_id:
        return Reply(text=NO_TRIGGER)
    try:
        ctx.client.views_open(trigger_id=ctx.trigger_id, view=invite_modal())
    except SlackApiError as exc:
        log.warning(
            "could not open the invite modal: %s",
            exc.response.get("error"),
            extra={"team_id": ctx.team_id, "user_id": ctx.user_id},
        )
        return Reply(text=NO_TRIGGER)
    return None


def parse_invite(values: dict[str, Any]) -> tuple[list[str], bool, dict[str, str]]:
    """The modal's ``state.values`` → (channels, dm, errors by block id)."""
    picked = ((values.get(InviteField.CHANNELS.value) or {}).get(FIELD_ACTION) or {}).get(
        "selected_conversations"
    ) or []
    boxes = ((values.get(InviteField.DM.value) or {}).get(FIELD_ACTION) or {}).get(
        "selected_options"
    ) or []
    errors: dict[str, str] = {}
    channels = (
        [str(c) for c in picked if isinstance(c, str) and c] if isinstance(picked, list) else []
    )
    if not channels:
        errors[InviteField.CHANNELS.value] = "Pick at least one channel."
    elif len(channels) > MAX_CHANNELS:
        errors[InviteField.CHANNELS.value] = f"Pick up to {MAX_CHANNELS} channels at a time."
    dm = any(isinstance(b, dict) and b.get("value") == DM_OPTION for b in boxes)
    return channels, dm, errors


def _on_submit(deps: Deps) -> Callable[..., None]:
    def on_submit(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        actor = Actor.of(context)
        team_id, user_id = actor.team_id, actor.user_id
        values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
        channels, dm, errors = parse_invite(values)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        try:
            require_admin(deps, client, team_id=team_id, user_id=user_id)
        except NotAllowedError as exc:
            ack(response_action="errors", errors={InviteField.CHANNELS.value: exc.message})
            return
        ack(response_action="update", view=started_modal(len(channels), dm))
        # After the ack (Bolt's worker thread): listing a big channel takes minutes.
        summary = invite(
            deps, client, team_id=team_id, channels=channels, dm=dm, admin_user_id=user_id
        )
        log.info(
            "invite people: %d channels refused",
            len(summary.refused),
            extra={"team_id": team_id, "user_id": user_id},
        )

    return on_submit


def adoption_section(*, session: Session, team_id: str) -> list[str]:
    workspace = get_workspace(session=session, team_id=team_id)
    if workspace is None:
        return []
    numbers = store.adoption(session=session, workspace_id=workspace.id)
    return adoption_lines(
        numbers.sent,
        numbers.joined,
        [(c.channel_id, c.invited, c.joined) for c in numbers.channels],
        numbers.failed,
    )


SUBCOMMANDS = (
    Subcommand(
        name="invite",
        usage="invite",
        summary="invite people: a card in channels you pick, and a DM to each person once",
        handler=open_invite,
        admin_only=True,
        order=96,
    ),
)


def register(app: App, deps: Deps) -> None:
    app.view(InviteCallback.MODAL.value)(_on_submit(deps))

    @app.action(InviteAction.OPEN.value)
    def on_open(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        """*Invite people* in the admin settings modal: push the channel picker."""
        ack()
        actor = Actor.of(context)
        require_admin(deps, client, team_id=actor.team_id, user_id=actor.user_id)
        trigger_id = body.get("trigger_id")
        if not trigger_id:
            return
        try:
            client.views_push(trigger_id=str(trigger_id), view=invite_modal())
        except SlackApiError as exc:
            log.warning(
                "could not push the invite modal: %s",
                exc.response.get("error"),
                extra={"team_id": actor.team_id, "user_id": actor.user_id},
            )

    @app.action(InviteAction.JOIN.value)
    def on_join(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        """*Join SkillSwap* (a card, an invitation DM): the profile form, prefilled."""
        ack()
        actor = Actor.of(context)
        trigger_id = body.get("trigger_id")
        if not trigger_id or actor.user_id == SLACKBOT:
            return
        action = (body.get("actions") or [{}])[0]
        value = JoinValue.load(action.get("value"))
        opened = open_profile(
            deps,
            client,
            team_id=actor.team_id,
            user_id=actor.user_id,
            trigger_id=str(trigger_id),
            response_url=body.get("response_url"),
            from_channel=value.channel,
        )
        if not opened and body.get("response_url"):
            raise UserInputError(TOO_SLOW)

    @app.action(InviteAction.NUDGES_OFF.value)
    def on_nudges_off(ack: Ack, context: BoltContext, respond: Respond) -> None:
        ack()
        actor = Actor.of(context)
        with deps.unit_of_work() as session:
            stop_nudges(session=session, team_id=actor.team_id, user_id=actor.user_id)
        text = "Done: no more reminders from me. Your profile and rounds stay as they are."
        respond(text=text, blocks=text_blocks(text), replace_original=True)

    @app.event("member_joined_channel")
    def on_member_joined(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        """Someone joined a channel the app is in: if it is the SkillSwap channel, they get
        the invitation DM (once; through the outbox)."""
        user_id = str(event.get("user") or "")
        channel_id = str(event.get("channel") or "")
        team_id = Actor.of(context).team_id or str(event.get("team") or "")
        if not user_id or not channel_id or user_id == SLACKBOT:
            return
        if user_id == context.bot_user_id:
            return  # SkillSwap itself was added to a channel
        if invite_newcomer(deps, client, team_id=team_id, user_id=user_id, channel_id=channel_id):
            log.info(
                "invitation queued for a SkillSwap channel newcomer",
                extra={"team_id": team_id, "user_id": user_id, "channel_id": channel_id},
            )
