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

from bot.booking.poll import Cancellation, cancel_for_leaver
from bot.booking.sending import send_cancellations
from bot.deps import Deps
from bot.members.identity import SLACKBOT, person_from_user, refresh_person
from bot.members.leaving import erase
from bot.members.welcome import send_welcome
from bot.slack.actor import Actor

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.event("team_join")
    def on_team_join(event: dict[str, Any], context: BoltContext) -> None:
        user = event.get("user") or {}
        if not isinstance(user, dict):
            return
        person = person_from_user(user)
        team_id = Actor.of(context).team_id or str(user.get("team_id") or "")
        if not person.user_id or not person.is_person or person.is_guest:
            return  # bots, Slackbot, deactivated accounts and guests get no invitation
        send_welcome(deps, team_id, person.user_id)

    @app.event("user_change")
    def on_user_change(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        user = event.get("user") or {}
        if not isinstance(user, dict):
            return
        person = person_from_user(user)
        team_id = Actor.of(context).team_id or str(user.get("team_id") or "")
        if not person.user_id:
            return
        cancelled: list[Cancellation] = []
        with deps.unit_of_work() as session:
            if person.deleted or person.is_bot or person.user_id == SLACKBOT:
                cancelled = cancel_for_leaver(session, team_id=team_id, user_id=person.user_id)
                if erase(
                    session=session, team_id=team_id, user_id=person.user_id, deactivated=True
                ):
                    log.info(
                        "deactivated member removed",
                        extra={"team_id": team_id, "user_id": person.user_id},
                    )
            else:
                refresh_person(session=session, team_id=team_id, person=person)
        send_cancellations(deps, client, cancelled)
