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

from bot.blocks.rounds import GroupRef, IntroAction, dump, intro_blocks, intro_fallback
from bot.deps import Deps
from bot.errors import UserInputError
from bot.rounds.responses import respond_to_intro
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
) -> None:
    """Show the new state in place; the answer is already stored, so a failure only logs."""
    if not click.channel_id or not click.message_ts:
        return
    try:
        client.chat_update(channel=click.channel_id, ts=click.message_ts, text=text, blocks=blocks)
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
    """Record the click, update the intro in place, tell the clicker what happened."""
    ref = click.ref(GroupRef)
    result = respond_to_intro(
        deps, team_id=click.team_id, user_id=click.user_id, group_id=ref.group, action=action
    )
    update_message(
        client, click, text=intro_fallback(result.view), blocks=dump(intro_blocks(result.view))
    )
    tell(respond, result.note)


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
