"""Meet again: "In 1 / 2 / 4 weeks" and "Stop these" under a check-in, and the nudge's
"We met again" and "Stop these"."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks.meet_again import (
    BLOCK_PREFIX,
    CHOICE_ACTIONS,
    MeetAgainAction,
    MeetAgainView,
    NudgeRef,
    meet_again_blocks,
    nudge_blocks,
    nudge_text,
    stop_note,
)
from bot.blocks.rounds import dump
from bot.deps import Deps
from bot.handlers.rounds import Click, tell, update_message
from bot.rounds import meet_again

log = logging.getLogger(__name__)


def _with_offer(body: dict[str, Any], view: MeetAgainView) -> tuple[str, list[dict[str, Any]]]:
    """The clicked check-in as it is, with its meet-again part shown anew."""
    message = body.get("message") or {}
    kept = [
        block
        for block in message.get("blocks") or []
        if isinstance(block, dict) and not str(block.get("block_id") or "").startswith(BLOCK_PREFIX)
    ]
    return str(message.get("text") or ""), kept + dump(meet_again_blocks(view))


def chosen(
    deps: Deps,
    action: MeetAgainAction,
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
) -> None:
    """ "In 1 / 2 / 4 weeks" under the check-in: stored, and the check-in shows the choice."""
    click = Click.of(body, context)
    ref = click.ref(NudgeRef)
    result = meet_again.choose(
        deps,
        team_id=click.team_id,
        user_id=click.user_id,
        group_id=ref.group,
        weeks=action.weeks,
        now=deps.clock.now(),
    )
    if result.changed:
        text, blocks = _with_offer(body, result.view)
        update_message(client, click, text=text, blocks=blocks)


def register(app: App, deps: Deps) -> None:
    def on_choice(action: MeetAgainAction) -> Callable[..., None]:
        def on_meet_again_in(
            ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient
        ) -> None:
            ack()
            chosen(deps, action, body, context, client)

        return on_meet_again_in

    for action in CHOICE_ACTIONS:  # "In 1 week", "In 2 weeks", "In 4 weeks"
        app.action(action)(on_choice(action))

    @app.action(MeetAgainAction.MET)
    def on_meet_again_met(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        ack()
        click = Click.of(body, context)
        ref = click.ref(NudgeRef)
        result = meet_again.met_again(
            deps,
            team_id=click.team_id,
            user_id=click.user_id,
            group_id=ref.group,
            nudge=ref.nudge,
            now=deps.clock.now(),
        )
        if result.changed and result.nudge is not None:
            update_message(
                client,
                click,
                text=nudge_text(result.nudge),
                blocks=dump(nudge_blocks(result.nudge)),
            )

    @app.action(MeetAgainAction.STOP)
    def on_meet_again_stop(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        ack()
        click = Click.of(body, context)
        ref = click.ref(NudgeRef)
        result = meet_again.stop(
            deps,
            team_id=click.team_id,
            user_id=click.user_id,
            group_id=ref.group,
            now=deps.clock.now(),
        )
        if result.changed:
            if ref.nudge and result.nudge is not None:  # clicked on a nudge
                text, blocks = nudge_text(result.nudge), dump(nudge_blocks(result.nudge))
            else:  # clicked under the check-in
                text, blocks = _with_offer(body, result.view)
            update_message(client, click, text=text, blocks=blocks)
        tell(respond, stop_note(already=not result.changed))
