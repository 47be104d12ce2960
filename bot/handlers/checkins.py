"""Check-in buttons ("We met", "Scheduled", "Not yet", "Couldn't make it") and the feedback modal.

A click records the member's answer (one per member and group; a repeat changes nothing),
updates the check-in message in place to show everyone's answers, and — for "We met" — opens
the feedback modal. The modal's submission stores the feedback per member.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.checkins import (
    CheckinAction,
    FeedbackCallback,
    FeedbackField,
    FeedbackMeta,
    answer_ack_text,
    checkin_blocks,
    checkin_text,
    feedback_modal,
    feedback_thanks_modal,
)
from bot.blocks.rounds import GroupRef, dump
from bot.deps import Deps
from bot.errors import SkillSwapError
from bot.handlers.rounds import Click, tell, update_message
from bot.kinds import CheckinAnswer
from bot.rounds.responses import answer_checkin, parse_feedback, save_feedback
from bot.slack.actor import Actor

log = logging.getLogger(__name__)


def checkin_clicked(
    deps: Deps, action: CheckinAction, click: Click, client: WebClient, respond: Respond
) -> None:
    """Record the answer, update the check-in in place; "We met" opens the feedback modal."""
    ref = click.ref(GroupRef)
    result = answer_checkin(
        deps,
        team_id=click.team_id,
        user_id=click.user_id,
        group_id=ref.group,
        answer=action.answer,
        message_ts=click.message_ts,
        now=deps.clock.now(),
    )
    if result.answer is CheckinAnswer.MET and click.trigger_id:
        _open_feedback(client, click, ref.group, result.partners, result.skills)
    update_message(
        client,
        click,
        text=checkin_text(result.view),
        blocks=dump(checkin_blocks(result.view)),
    )
    if result.answer is not CheckinAnswer.MET:
        tell(respond, answer_ack_text(result.answer))


def _open_feedback(
    client: WebClient,
    click: Click,
    group_id: int,
    partners: tuple[str, ...],
    skills: tuple[str, ...],
) -> None:
    view = feedback_modal(FeedbackMeta(group=group_id), partners=partners, skills=skills)
    try:
        client.views_open(trigger_id=click.trigger_id, view=view)
    except SlackApiError as exc:  # e.g. expired_trigger_id: the answer is stored anyway
        log.warning(
            "could not open the feedback modal: %s",
            exc.response.get("error"),
            extra={"team_id": click.team_id, "user_id": click.user_id, "group_id": group_id},
        )


def register(app: App, deps: Deps) -> None:
    @app.action(CheckinAction.MET)
    def on_checkin_met(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        ack()
        checkin_clicked(deps, CheckinAction.MET, Click.of(body, context), client, respond)

    @app.action(CheckinAction.SCHEDULED)
    def on_checkin_scheduled(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        ack()
        checkin_clicked(deps, CheckinAction.SCHEDULED, Click.of(body, context), client, respond)

    @app.action(CheckinAction.NOT_YET)
    def on_checkin_not_yet(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        ack()
        checkin_clicked(deps, CheckinAction.NOT_YET, Click.of(body, context), client, respond)

    @app.action(CheckinAction.COULD_NOT)
    def on_checkin_could_not(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        ack()
        checkin_clicked(deps, CheckinAction.COULD_NOT, Click.of(body, context), client, respond)

    @app.view(FeedbackCallback.FEEDBACK)
    def on_feedback(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        view = body.get("view") or {}
        actor = Actor.of(context)
        team_id, user_id = actor.team_id, actor.user_id
        try:
            meta = FeedbackMeta.model_validate_json(view.get("private_metadata") or "")
        except ValidationError:
            ack(
                response_action="errors",
                errors={
                    FeedbackField.RATING.value: "This form is out of date. Close it and click "
                    "“We met” again."
                },
            )
            return
        feedback, errors = parse_feedback((view.get("state") or {}).get("values") or {})
        if feedback is None:
            ack(response_action="errors", errors=errors)
            return
        try:
            save_feedback(
                deps,
                team_id=team_id,
                user_id=user_id,
                group_id=meta.group,
                feedback=feedback,
                now=deps.clock.now(),
            )
        except SkillSwapError as exc:
            ack(response_action="errors", errors={FeedbackField.RATING.value: exc.message})
            return
        ack(response_action="update", view=feedback_thanks_modal())
