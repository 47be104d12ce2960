"""Intro DM buttons: "We've scheduled it", "Skip this round", "Not a fit".

Ack, parse the click, record it (one unit of work), then update the message in place and tell
the clicker what happened. A double click or a Slack retry changes nothing the second time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from bot.blocks.rounds import (
    DeclineAction,
    EntryRef,
    GroupRef,
    IntroAction,
    PairingAction,
    decline_note_blocks,
    do_not_pair_blocks,
    dump,
    intro_blocks,
    intro_fallback,
)
from bot.booking.sending import send_cancellation
from bot.deps import Deps
from bot.errors import UserInputError
from bot.handlers.home import publish_home
from bot.rounds.responses import (
    do_not_pair_list,
    remove_do_not_pair,
    respond_to_intro,
    undo_decline,
)
from bot.slack.actor import Actor

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

STALE_BUTTON = (
    "That button didn't come through properly — it may be from an old message. "
    "Try the newest message from SkillSwap, or type `/skillswap` for help."
)


@dataclass(frozen=True)
class Click:
    """A button click on a message, parsed."""

    team_id: str
    user_id: str
    value: str
    channel_id: str | None
    message_ts: str | None
    trigger_id: str | None

    @classmethod
    def of(cls, body: dict[str, Any], context: BoltContext) -> Click:
        action = (body.get("actions") or [{}])[0]
        container = body.get("container") or {}
        actor = Actor.of(context)
        return cls(
            team_id=actor.team_id,
            user_id=actor.user_id,
            value=str(action.get("value") or ""),
            channel_id=container.get("channel_id") or (body.get("channel") or {}).get("id"),
            message_ts=container.get("message_ts") or (body.get("message") or {}).get("ts"),
            trigger_id=body.get("trigger_id"),
        )

    def ref(self, model: type[M]) -> M:
        try:
            return model.model_validate_json(self.value)
        except ValidationError:
            raise UserInputError(STALE_BUTTON) from None


def update_message(
    client: WebClient,
    click: Click,
    *,
    text: str,
    blocks: list[dict[str, object]],
    channel_id: str | None = None,
    ts: str | None = None,
) -> None:
    """Show the new state in place (the clicked message, or ``channel_id``/``ts``); the answer
    is already stored, so a failure only logs."""
    channel_id = channel_id or click.channel_id
    ts = ts or click.message_ts
    if not channel_id or not ts:
        return
    try:
        client.chat_update(channel=channel_id, ts=ts, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.warning(
            "could not update the message: %s",
            exc.response.get("error"),
            extra={"team_id": click.team_id, "user_id": click.user_id},
        )


def tell(respond: Respond, text: str) -> None:
    respond(text=text, response_type="ephemeral", replace_original=False)


def intro_clicked(
    deps: Deps, action: IntroAction, click: Click, client: WebClient, respond: Respond
) -> None:
    """Record the click, update the intro in place, tell the clicker what happened (a Skip or
    Not a fit privately, with Undo)."""
    ref = click.ref(GroupRef)
    result = respond_to_intro(
        deps, team_id=click.team_id, user_id=click.user_id, group_id=ref.group, action=action
    )
    update_message(
        client, click, text=intro_fallback(result.view), blocks=dump(intro_blocks(result.view))
    )
    if result.cancellation is not None:
        send_cancellation(deps, client, result.cancellation)
    respond(
        text=result.note,
        blocks=dump(decline_note_blocks(result.note, ref.group, undo=result.undo)),
        response_type="ephemeral",
        replace_original=False,
    )


def undo_clicked(deps: Deps, click: Click, client: WebClient, respond: Respond) -> None:
    """Take back a Skip / Not a fit: the intro shows the group as it is again, and the private
    note is replaced by what happened."""
    ref = click.ref(GroupRef)
    result = undo_decline(deps, team_id=click.team_id, user_id=click.user_id, group_id=ref.group)
    update_message(
        client,
        click,
        text=intro_fallback(result.view),
        blocks=dump(intro_blocks(result.view)),
        channel_id=result.channel_id,
        ts=result.intro_ts,
    )
    respond(text=result.note, response_type="ephemeral", replace_original=True)


def do_not_pair_section(
    *, session: Session, deps: Deps, team_id: str, user_id: str, admin: bool
) -> list[Block]:
    """The member's private do-not-pair list, in their Home tab."""
    entries, total = do_not_pair_list(session=session, team_id=team_id, user_id=user_id)
    return do_not_pair_blocks([(e.id, e.other_user_id) for e in entries], total)


HOME_SECTIONS = (do_not_pair_section,)


def register(app: App, deps: Deps) -> None:
    @app.action(IntroAction.SCHEDULED)
    def on_intro_scheduled(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        ack()
        intro_clicked(deps, IntroAction.SCHEDULED, Click.of(body, context), client, respond)

    @app.action(IntroAction.SKIP)
    def on_intro_skip(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        ack()
        intro_clicked(deps, IntroAction.SKIP, Click.of(body, context), client, respond)

    @app.action(IntroAction.NOT_A_FIT)
    def on_intro_not_a_fit(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        ack()
        intro_clicked(deps, IntroAction.NOT_A_FIT, Click.of(body, context), client, respond)

    @app.action(DeclineAction.UNDO)
    def on_intro_undo(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        ack()
        undo_clicked(deps, Click.of(body, context), client, respond)

    @app.action(PairingAction.REMOVE)
    def on_do_not_pair_remove(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        ack()
        click = Click.of(body, context)
        try:
            ref = click.ref(EntryRef)
        except UserInputError:
            ref = None
        if ref is not None:
            remove_do_not_pair(
                deps, team_id=click.team_id, user_id=click.user_id, entry_id=ref.entry
            )
        publish_home(deps, client, click.team_id, click.user_id)  # no response_url on Home
