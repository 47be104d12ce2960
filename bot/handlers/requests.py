"""Swap requests and the skills explorer: ``/skillswap ask``, the *Ask for a swap* buttons, the
ask form, the teacher's *Accept* / *Not now*, and *Explore skills* on the Home tab."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.blocks.common import text_blocks
from bot.blocks.requests import (
    AnswerValue,
    AskValue,
    ExploreMenu,
    FormMeta,
    RequestAction,
    RequestCallback,
    RequestField,
    SkillValue,
    answered_text,
    ask_modal,
    explorer_blocks,
    notice_modal,
    read_form,
    sent_modal,
    skill_option,
    teachers_modal,
)
from bot.deps import Deps
from bot.errors import SkillSwapError
from bot.handlers.commands import CommandContext, Reply, Subcommand
from bot.members.catalog import typeahead
from bot.members.identity import fetch_person
from bot.members.names import decode_option
from bot.requests import answering, asking, explorer
from bot.requests.views import AskForm
from bot.slack.actor import Actor

log = logging.getLogger(__name__)

TOO_SLOW = "I couldn't open the form in time (Slack allows 3 seconds). Please try again."


def _form(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    teacher: str,
    skill_id: int | None = None,
    skill_text: str | None = None,
) -> AskForm:
    """The ask form's contents, or the one-line reason there is none (a bot is named as such:
    Slack is asked only then, outside any unit of work)."""
    try:
        return deps.read_mostly(
            lambda session: asking.ask_form(
                session=session,
                team_id=team_id,
                asker_user=user_id,
                teacher_user=teacher,
                skill_id=skill_id,
                skill_text=skill_text,
                now=deps.clock.now(),
            )
        )
    except asking.NotAMemberError as exc:
        if not fetch_person(client, team_id, exc.user_id).is_person:
            raise asking.bot_error(exc.user_id) from exc
        raise


def _open(client: WebClient, trigger_id: str, view: View, *, push: bool, team_id: str) -> bool:
    try:
        if push:
            client.views_push(trigger_id=trigger_id, view=view)
        else:
            client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        log.warning("views.open failed: %s", exc.response.get("error"), extra={"team_id": team_id})
        return False
    return True


def ask(ctx: CommandContext) -> Reply | None:
    target = asking.parse_ask(ctx.args)
    teacher = ctx.deps.read_mostly(
        lambda session: asking.resolve_target(session=session, team_id=ctx.team_id, target=target)
    )
    form = _form(
        ctx.deps,
        ctx.client,
        team_id=ctx.team_id,
        user_id=ctx.user_id,
        teacher=teacher,
        skill_text=target.skill,
    )
    if not ctx.trigger_id or not _open(
        ctx.client, ctx.trigger_id, ask_modal(form), push=False, team_id=ctx.team_id
    ):
        return Reply(text=TOO_SLOW, blocks=text_blocks(TOO_SLOW))
    return None


SUBCOMMANDS = (
    Subcommand(
        name="ask",
        usage="ask @someone <skill>",
        summary="ask a colleague for a swap in a skill they teach",
        handler=ask,
        order=55,
    ),
)


def explore_section(
    *, session: Session, deps: Deps, team_id: str, user_id: str, admin: bool
) -> list[Block]:
    """*Explore skills* on everyone's Home tab."""
    return explorer_blocks(explorer.explorer(session=session, team_id=team_id))


HOME_SECTIONS = (explore_section,)


def _action(body: dict[str, Any]) -> dict[str, Any]:
    actions = body.get("actions") or [{}]
    first = actions[0]
    return first if isinstance(first, dict) else {}


def _in_modal(body: dict[str, Any]) -> bool:
    return (body.get("container") or {}).get("type") == "view"


def _tell(
    client: WebClient, respond: Respond, body: dict[str, Any], text: str, team_id: str
) -> None:
    """A one-line answer where the click happened: in the modal, or under the message."""
    trigger_id = body.get("trigger_id")
    if _in_modal(body) and trigger_id:
        _open(client, str(trigger_id), notice_modal(text), push=True, team_id=team_id)
    elif body.get("response_url"):
        respond(text=text, response_type="ephemeral", replace_original=False)


def register(app: App, deps: Deps) -> None:
    @app.action(RequestAction.ASK)
    def on_ask(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        ack()
        actor = Actor.of(context)
        value = AskValue.load(_action(body).get("value"))
        trigger_id = body.get("trigger_id")
        if value is None or not trigger_id:
            stale = "That button is out of date. Try `/skillswap who <skill>`."
            _tell(client, respond, body, stale, actor.team_id)
            return
        try:
            form = _form(
                deps,
                client,
                team_id=actor.team_id,
                user_id=actor.user_id,
                teacher=value.teacher,
                skill_id=value.skill,
            )
        except SkillSwapError as exc:
            _tell(client, respond, body, exc.message, actor.team_id)
            return
        _open(client, str(trigger_id), ask_modal(form), push=_in_modal(body), team_id=actor.team_id)

    @app.view(RequestCallback.FORM)
    def on_form(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        actor = Actor.of(context)
        view = body.get("view") or {}
        meta = FormMeta.load(view.get("private_metadata"))
        skill_id, offer_id, note = read_form(((view.get("state") or {}).get("values")) or {})
        if meta is None or skill_id is None:
            ack(response_action="errors", errors={RequestField.SKILL: "Pick a skill to learn."})
            return
        try:
            with deps.unit_of_work() as session:
                asking.create_request(
                    session=session,
                    team_id=actor.team_id,
                    asker_user=actor.user_id,
                    teacher_user=meta.teacher,
                    skill_id=skill_id,
                    offer_skill_id=offer_id,
                    note=note,
                    now=deps.clock.now(),
                )
        except asking.FormError as exc:
            block = RequestField.NOTE if exc.field == "note" else RequestField.OFFER
            ack(response_action="errors", errors={block: exc.message})
            return
        except SkillSwapError as exc:
            ack(response_action="errors", errors={RequestField.SKILL: exc.message})
            return
        ack(response_action="update", view=sent_modal(meta.teacher))

    def answer(
        body: dict[str, Any], context: BoltContext, respond: Respond, *, accepted: bool
    ) -> None:
        actor = Actor.of(context)
        value = AnswerValue.load(_action(body).get("value"))
        if value is None:
            respond(text="That button is out of date.", replace_original=False)
            return
        act = answering.accept if accepted else answering.decline
        try:
            with deps.unit_of_work() as session:
                done = act(
                    session=session,
                    team_id=actor.team_id,
                    user_id=actor.user_id,
                    request_id=value.request,
                    now=deps.clock.now(),
                )
        except SkillSwapError as exc:
            respond(text=exc.message, response_type="ephemeral", replace_original=False)
            return
        text = answered_text(done.asker, done.skill, done.accepted)
        respond(text=text, blocks=text_blocks(text), replace_original=True)

    @app.action(RequestAction.ACCEPT)
    def on_accept(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        ack()
        answer(body, context, respond, accepted=True)

    @app.action(RequestAction.DECLINE)
    def on_decline(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        ack()
        answer(body, context, respond, accepted=False)

    def show_teachers(
        body: dict[str, Any], context: BoltContext, client: WebClient, skill_id: int | None
    ) -> None:
        actor = Actor.of(context)
        trigger_id = body.get("trigger_id")
        if not trigger_id:
            return
        try:
            if skill_id is None:
                raise SkillSwapError("That skill isn't listed any more.")
            view = deps.read_mostly(
                lambda session: explorer.skill_teachers(
                    session=session, team_id=actor.team_id, viewer=actor.user_id, skill_id=skill_id
                )
            )
            modal = teachers_modal(view)
        except SkillSwapError as exc:
            modal = notice_modal(exc.message)
        _open(client, str(trigger_id), modal, push=False, team_id=actor.team_id)

    @app.action(RequestAction.EXPLORE_SKILL)
    def on_explore_skill(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        ack()
        value = SkillValue.load(_action(body).get("value"))
        show_teachers(body, context, client, value.skill if value else None)

    @app.action(RequestAction.EXPLORE_SEARCH)
    def on_explore_search(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        ack()
        option = _action(body).get("selected_option") or {}
        value = SkillValue.load(str(option.get("value") or ""))
        show_teachers(body, context, client, value.skill if value else None)

    @app.options(ExploreMenu.SEARCH)
    def on_explore_options(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        team_id = Actor.of(context).team_id
        query = str(body.get("value") or "")
        found = deps.read_mostly(
            lambda session: typeahead(session=session, team_id=team_id, query=query)
        )
        options = []
        for option in found:
            ref = decode_option(option.value)
            if ref is not None and ref.skill_id is not None:  # existing skills only
                options.append(skill_option(ref.skill_id, option.text))
        ack(options=options)
