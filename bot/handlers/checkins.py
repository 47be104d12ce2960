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
from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from bot.blocks.checkins import (
    CheckinAction,
    FeedbackCallback,
    FeedbackField,
    FeedbackMeta,
    PauseAction,
    answer_ack_text,
    auto_paused_blocks,
    checkin_blocks,
    checkin_text,
    feedback_modal,
    feedback_thanks_modal,
    pause_answer_text,
)
from bot.blocks.meet_again import meet_again_blocks
from bot.blocks.members import slack_date
from bot.blocks.rounds import GroupRef, dump
from bot.deps import Deps
from bot.errors import SkillSwapError
from bot.handlers.rounds import Click, tell, update_message
from bot.kinds import CheckinAnswer
from bot.members import overview, profile
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
    blocks = checkin_blocks(result.view)
    if result.meet_again is not None:
        blocks += meet_again_blocks(result.meet_again)
    update_message(client, click, text=checkin_text(result.view), blocks=dump(blocks))
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


def pause_question_answered(
    deps: Deps, action: PauseAction, actor: Actor, respond: Respond
) -> None:
    """ "Keep me in", "Pause for now" (the question) or "Resume" (the pause DM): each acts for
    the clicker only, and the DM's buttons are replaced by what happened."""
    team_id, user_id = actor.team_id, actor.user_id
    with deps.unit_of_work() as session:
        if action is PauseAction.PAUSE:
            result = profile.pause(
                session=session, deps=deps, team_id=team_id, user_id=user_id, raw=""
            )
        elif action is PauseAction.KEEP:
            result = profile.keep_me_in(
                session=session, deps=deps, team_id=team_id, user_id=user_id
            )
        else:
            result = profile.resume(session=session, deps=deps, team_id=team_id, user_id=user_id)
        tz = overview.overview(session=session, deps=deps, team_id=team_id, user_id=user_id).tz
    log.info("pause question: %s", action.value, extra={"team_id": team_id, "user_id": user_id})
    when = slack_date(result.next_round, tz) if result.next_round else None
    respond(text=pause_answer_text(action, when), replace_original=True)


def auto_paused_section(
    *, session: Session, deps: Deps, team_id: str, user_id: str, admin: bool
) -> list[Block]:
    """Admins' Home tab: who was paused after going quiet."""
    if not admin:
        return []
    user_ids, total = overview.auto_paused(session=session, team_id=team_id)
    return auto_paused_blocks(user_ids, total)


HOME_SECTIONS = (auto_paused_section,)


def register(app: App, deps: Deps) -> None:
    @app.action(PauseAction.KEEP)
    def on_pause_question_keep(ack: Ack, context: BoltContext, respond: Respond) -> None:
        ack()
        pause_question_answered(deps, PauseAction.KEEP, Actor.of(context), respond)

    @app.action(PauseAction.PAUSE)
    def on_pause_question_pause(ack: Ack, context: BoltContext, respond: Respond) -> None:
        ack()
        pause_question_answered(deps, PauseAction.PAUSE, Actor.of(context), respond)

    @app.action(PauseAction.RESUME)
    def on_paused_resume(ack: Ack, context: BoltContext, respond: Respond) -> None:
        ack()
        pause_question_answered(deps, PauseAction.RESUME, Actor.of(context), respond)

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
            saved = save_feedback(
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
        ack(
            response_action="update",
            view=feedback_thanks_modal(saved.added, saved.already, saved.problem),
        )
