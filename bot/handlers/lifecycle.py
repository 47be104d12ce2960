"""People arriving and leaving the workspace: ``team_join`` and ``user_change``.

Nobody is enrolled without acting: a newcomer gets a friendly invitation and nothing is stored
about them but the record that it was sent. A deactivated account (``user_change`` with
``deleted: true``) leaves the pool at once, with the same erasure as ``/skillswap leave``.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.members import welcome_blocks, welcome_text
from bot.delivery.outbox import METADATA_EVENT_TYPE
from bot.deps import Deps
from bot.members.identity import SLACKBOT, person_from_user, refresh_person
from bot.members.leaving import erase, is_member
from bot.slack.actor import Actor
from bot.store.members import claim_welcome, finish_outbox
from bot.store.workspaces import get_or_create_workspace

log = logging.getLogger(__name__)


def send_welcome(deps: Deps, client: WebClient, team_id: str, user_id: str) -> bool:
    """DM a newcomer an invitation, once per person per workspace. True when sent now."""
    key = f"welcome:{team_id}:{user_id}"
    payload: dict[str, object] = {
        "text": welcome_text(user_id),
        "blocks": [b.to_dict() for b in welcome_blocks(user_id)],
    }
    with deps.unit_of_work() as session:
        workspace = get_or_create_workspace(session=session, team_id=team_id)
        if is_member(session=session, team_id=team_id, user_id=user_id):
            return False
        row = claim_welcome(
            session=session,
            workspace_id=workspace.id,
            slack_user_id=user_id,
            key=key,
            payload=payload,
            now=deps.clock.now(),
        )
        if row is None:
            log.info("welcome already sent", extra={"team_id": team_id, "user_id": user_id})
            return False
        outbox_id = row.id
    try:
        channel = client.conversations_open(users=user_id)["channel"]["id"]
        sent = client.chat_postMessage(
            channel=channel,
            text=str(payload["text"]),
            blocks=welcome_blocks(user_id),
            # The delivery worker recognises the post by this key if we die before recording
            # it, and does not send it twice.
            metadata={"event_type": METADATA_EVENT_TYPE, "event_payload": {"key": key}},
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "slack_error")
        log.warning("welcome DM failed: %s", error, extra={"team_id": team_id, "user_id": user_id})
        with deps.unit_of_work() as session:
            finish_outbox(session=session, outbox_id=outbox_id, now=deps.clock.now(), error=error)
        return False
    with deps.unit_of_work() as session:
        finish_outbox(
            session=session,
            outbox_id=outbox_id,
            now=deps.clock.now(),
            channel=channel,
            ts=str(sent.get("ts") or ""),
        )
    return True


def register(app: App, deps: Deps) -> None:
    @app.event("team_join")
    def on_team_join(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        user = event.get("user") or {}
        if not isinstance(user, dict):
            return
        person = person_from_user(user)
        team_id = Actor.of(context).team_id or str(user.get("team_id") or "")
        if not person.user_id or not person.is_person or person.is_guest:
            return  # bots, Slackbot, deactivated accounts and guests get no invitation
        send_welcome(deps, client, team_id, person.user_id)

    @app.event("user_change")
    def on_user_change(event: dict[str, Any], context: BoltContext) -> None:
        user = event.get("user") or {}
        if not isinstance(user, dict):
            return
        person = person_from_user(user)
        team_id = Actor.of(context).team_id or str(user.get("team_id") or "")
        if not person.user_id:
            return
        with deps.unit_of_work() as session:
            if person.deleted or person.is_bot or person.user_id == SLACKBOT:
                if erase(
                    session=session, team_id=team_id, user_id=person.user_id, deactivated=True
                ):
                    log.info(
                        "deactivated member removed",
                        extra={"team_id": team_id, "user_id": person.user_id},
                    )
            else:
                refresh_person(session=session, team_id=team_id, person=person)
