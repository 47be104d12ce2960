"""Finding a time: "Pick a time" on the introduction, the poll modal's submission, and
"Reschedule" on the booking.

Ack, parse, call :mod:`bot.booking.poll` (one unit of work), then call Slack: open or update
the modal, and send what a booking or a reschedule sends (:mod:`bot.booking.sending`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.meetings import (
    SLOTS_ACTION,
    SLOTS_BLOCK,
    MeetingAction,
    MeetingCallback,
    PollMeta,
    PollRef,
    poll_modal,
)
from bot.booking.poll import STALE_OFFER, answer_poll, open_poll, reschedule
from bot.booking.sending import delete_reminder, deliver, send_booking
from bot.deps import Deps
from bot.errors import UserInputError
from bot.slack.actor import Actor

log = logging.getLogger(__name__)

STALE_BUTTON = (
    "That button didn't come through properly — it may be from an old message. "
    "Try the newest message from SkillSwap, or type `/skillswap` for help."
)
#: A submission with more ticks than a poll ever offers is not a real form.
MAX_TICKS = 10


def _group_of(body: dict[str, Any]) -> int:
    action = (body.get("actions") or [{}])[0]
    try:
        return PollRef.model_validate_json(str(action.get("value") or "")).group
    except ValidationError:
        raise UserInputError(STALE_BUTTON) from None


def _open(client: WebClient, trigger_id: str | None, view: Any, team_id: str, user_id: str) -> None:
    if not trigger_id:
        return
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:  # e.g. expired_trigger_id: a second click opens it again
        log.warning(
            "could not open the poll: %s",
            exc.response.get("error"),
            extra={"team_id": team_id, "user_id": user_id},
        )


def parse_ticks(values: dict[str, Any]) -> list[datetime] | None:
    """The ticked slots (UTC), or None when the form's values are not ours."""
    field = (values.get(SLOTS_BLOCK) or {}).get(SLOTS_ACTION) or {}
    selected = field.get("selected_options") or []
    if not isinstance(selected, list) or len(selected) > MAX_TICKS:
        return None
    ticks = []
    for option in selected:
        raw = str((option or {}).get("value") or "") if isinstance(option, dict) else ""
        if not raw.isdigit() or len(raw) > 12:
            return None
        ticks.append(datetime.fromtimestamp(int(raw), UTC))
    return ticks


def register(app: App, deps: Deps) -> None:
    @app.action(MeetingAction.PICK)
    def on_pick_time(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        ack()
        actor = Actor.of(context)
        group_id = _group_of(body)
        view = open_poll(deps, team_id=actor.team_id, user_id=actor.user_id, group_id=group_id)
        _open(client, body.get("trigger_id"), poll_modal(view), actor.team_id, actor.user_id)

    @app.action(MeetingAction.RESCHEDULE)
    def on_reschedule(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        ack()
        actor = Actor.of(context)
        group_id = _group_of(body)
        reopened = reschedule(deps, team_id=actor.team_id, user_id=actor.user_id, group_id=group_id)
        _open(
            client, body.get("trigger_id"), poll_modal(reopened.form), actor.team_id, actor.user_id
        )
        delete_reminder(client, actor.team_id, reopened.reminder)
        deliver(deps, reopened.outbox_id)

    @app.view(MeetingCallback.POLL)
    def on_poll_submitted(
        ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        view = body.get("view") or {}
        actor = Actor.of(context)
        try:
            meta = PollMeta.model_validate_json(view.get("private_metadata") or "")
        except ValidationError:
            ack(response_action="errors", errors={SLOTS_BLOCK: STALE_OFFER})
            return
        ticks = parse_ticks((view.get("state") or {}).get("values") or {})
        if ticks is None:
            ack(response_action="errors", errors={SLOTS_BLOCK: STALE_OFFER})
            return
        outcome = answer_poll(
            deps,
            team_id=actor.team_id,
            user_id=actor.user_id,
            group_id=meta.group,
            offer=meta.offer,
            ticks=ticks,
        )
        if outcome.error is not None:
            ack(response_action="errors", errors={SLOTS_BLOCK: outcome.error})
            return
        if outcome.form is not None:
            ack(response_action="update", view=poll_modal(outcome.form))
            return
        ack()
        if outcome.booking is not None:
            send_booking(deps, client, outcome.booking)
        deliver(deps, outcome.outbox_id)
