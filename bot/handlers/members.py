"""Members' subcommands (teach, learn, drop, me, who, pause, resume, leave) and their buttons."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import members as blocks
from bot.blocks.common import text_blocks
from bot.blocks.rounds import SuggestAction, SuggestValue
from bot.booking.poll import cancel_for_leaver
from bot.booking.sending import send_cancellations
from bot.deps import Deps
from bot.errors import UserInputError
from bot.handlers.commands import CommandContext, Reply, Subcommand
from bot.handlers.home import publish_home
from bot.kinds import Direction
from bot.members import overview, profile, skills
from bot.members.identity import SlackPerson, newcomer
from bot.members.leaving import erase
from bot.members.names import parse_skill_list
from bot.members.views import SkillsAdded
from bot.slack.actor import Actor

log = logging.getLogger(__name__)


def _add(ctx: CommandContext, direction: Direction) -> Reply:
    names = parse_skill_list(ctx.args, example=skills.example_for(direction))

    def add(person: SlackPerson | None, *, ask_slack_first: bool) -> SkillsAdded:
        with ctx.deps.unit_of_work() as session:
            return skills.add_skills(
                session=session,
                team_id=ctx.team_id,
                user_id=ctx.user_id,
                person=person,
                direction=direction,
                names=names,
                now=ctx.deps.clock.now(),
                ask_slack_first=ask_slack_first,
            )

    try:
        result = add(None, ask_slack_first=True)  # a member: one unit of work, no Slack call
    except skills.NotAMemberYet:
        # Someone joining: Slack is asked who they are with no unit of work open, then again.
        person = newcomer(ctx.deps, ctx.client, ctx.team_id, ctx.user_id)
        result = add(person, ask_slack_first=False)
    return Reply(text=blocks.skills_added_text(result), blocks=blocks.skills_added(result))


def teach(ctx: CommandContext) -> Reply:
    return _add(ctx, Direction.TEACH)


def learn(ctx: CommandContext) -> Reply:
    return _add(ctx, Direction.LEARN)


def drop(ctx: CommandContext) -> Reply:
    names = parse_skill_list(ctx.args, example="/skillswap drop Spanish")
    with ctx.deps.unit_of_work() as session:
        result = skills.drop_skills(
            session=session, team_id=ctx.team_id, user_id=ctx.user_id, names=names
        )
    return Reply(text=blocks.dropped_text(result), blocks=blocks.skills_dropped(result))


def me(ctx: CommandContext) -> Reply:
    view = ctx.deps.read_light(
        lambda session: overview.overview(
            session=session, deps=ctx.deps, team_id=ctx.team_id, user_id=ctx.user_id
        )
    )
    return Reply(text=blocks.me_text(view), blocks=blocks.me_blocks(view))


def who(ctx: CommandContext) -> Reply:
    view = ctx.deps.read_mostly(
        lambda session: skills.who(session=session, team_id=ctx.team_id, raw=ctx.args)
    )
    return Reply(text=blocks.who_text(view), blocks=blocks.who_blocks(view, ctx.user_id))


def pause(ctx: CommandContext) -> Reply:
    with ctx.deps.unit_of_work() as session:
        result = profile.pause(
            session=session, deps=ctx.deps, team_id=ctx.team_id, user_id=ctx.user_id, raw=ctx.args
        )
    text = blocks.paused_text(result)
    return Reply(text=text, blocks=text_blocks(text))


def resume(ctx: CommandContext) -> Reply:
    if ctx.args.strip():
        raise UserInputError(
            "`/skillswap resume` takes nothing after it: just `/skillswap resume`."
        )
    with ctx.deps.unit_of_work() as session:
        result = profile.resume(
            session=session, deps=ctx.deps, team_id=ctx.team_id, user_id=ctx.user_id
        )
        view = overview.overview(
            session=session, deps=ctx.deps, team_id=ctx.team_id, user_id=ctx.user_id
        )
    text = blocks.resumed_text(result, view.tz)
    return Reply(text=text, blocks=text_blocks(text))


def leave(ctx: CommandContext) -> Reply:
    return Reply(
        text="Leave SkillSwap and delete your data?",
        blocks=blocks.leave_confirm_blocks(ctx.user_id),
    )


SUBCOMMANDS = (
    Subcommand(
        name="teach",
        usage="teach <skill>[, <skill>…]",
        summary="add skills you could show a colleague",
        handler=teach,
        order=10,
    ),
    Subcommand(
        name="learn",
        usage="learn <skill>[, <skill>…]",
        summary="add skills you'd like to learn",
        handler=learn,
        order=20,
    ),
    Subcommand(
        name="me",
        usage="me",
        summary="your profile, your status, the next round and your current partner",
        handler=me,
        aliases=("status",),
        order=40,
    ),
    Subcommand(
        name="who",
        usage="who <skill>",
        summary="who can teach a skill and who wants to learn it",
        handler=who,
        order=50,
    ),
    Subcommand(
        name="drop",
        usage="drop <skill>",
        summary="remove a skill from your profile",
        handler=drop,
        aliases=("remove",),
        order=60,
    ),
    Subcommand(
        name="pause",
        usage="pause [<n> weeks | until <date>]",
        summary="take a break (with no length: until you resume)",
        handler=pause,
        order=70,
    ),
    Subcommand(
        name="resume",
        usage="resume",
        summary="come back after a break",
        handler=resume,
        order=80,
    ),
    Subcommand(
        name="leave",
        usage="leave",
        summary="leave SkillSwap and delete your data",
        handler=leave,
        order=90,
    ),
)


def _value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def register(app: App, deps: Deps) -> None:
    @app.action(blocks.MemberAction.LEAVE_CONFIRM)
    def on_leave_confirm(
        ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, client: WebClient
    ) -> None:
        ack()
        actor = Actor.of(context)
        team_id, user_id = actor.team_id, actor.user_id
        value = blocks.LeaveValue.load(_value(body))
        if value is None or value.user != user_id:
            respond(
                text="That button belongs to someone else. To leave, use `/skillswap leave`.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        with deps.unit_of_work() as session:
            cancelled = cancel_for_leaver(session, team_id=team_id, user_id=user_id)
            was_member = erase(session=session, team_id=team_id, user_id=user_id)
        respond(text=blocks.left_text(was_member), replace_original=True)
        send_cancellations(deps, client, cancelled)
        publish_home(deps, client, team_id, user_id)  # no stale profile left on the Home tab

    @app.action(blocks.MemberAction.LEAVE_CANCEL)
    def on_leave_cancel(ack: Ack, respond: Respond) -> None:
        ack()
        respond(text=blocks.leave_cancelled_text(), replace_original=True)

    @app.action(blocks.MemberAction.SWITCH_SKILL)
    def on_switch(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        ack()
        actor = Actor.of(context)
        team_id, user_id = actor.team_id, actor.user_id
        value = blocks.SwitchValue.load(_value(body))
        if value is None:
            raise UserInputError(
                "That button is out of date. Check your skills with `/skillswap me`."
            )
        with deps.unit_of_work() as session:
            changed = skills.switch_skill(
                session=session,
                team_id=team_id,
                user_id=user_id,
                direction=value.direction,
                from_skill_id=value.from_id,
                to_skill_id=value.to_id,
            )
        suggestion = next(
            (e.label for e in (*changed.teach, *changed.learn) if e.skill_id == value.to_id), ""
        )
        respond(
            text=f"You now list {blocks.esc(suggestion)}.",
            blocks=[b.to_dict() for b in blocks.switched(changed, suggestion)],
            replace_original=True,
        )

    @app.action(SuggestAction.ADD)
    def on_suggested_skill(
        ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond
    ) -> None:
        ack()
        actor = Actor.of(context)
        try:
            value = SuggestValue.model_validate_json(_value(body))
        except ValidationError:
            raise UserInputError(
                "That button is out of date. Add a skill with `/skillswap teach <skill>`."
            ) from None
        with deps.unit_of_work() as session:
            result = skills.add_suggested(
                session=session,
                team_id=actor.team_id,
                user_id=actor.user_id,
                direction=value.direction,
                skill_id=value.skill,
            )
        respond(
            text=blocks.skills_added_text(result),
            blocks=[b.to_dict() for b in blocks.skills_added(result)],
            response_type="ephemeral",
            replace_original=False,
        )
