"""The App Home tab: published on ``app_home_opened`` and after changes made from it."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from bot.blocks.home import PAUSE_CHOICES, HomeAction, home_view
from bot.deps import Deps
from bot.errors import SkillSwapError
from bot.handlers import collect
from bot.members.identity import SLACKBOT
from bot.members.overview import overview
from bot.members.profile import pause, resume
from bot.slack.actor import Actor
from bot.workspaces.admins import is_admin

log = logging.getLogger(__name__)


class HomeSection(Protocol):
    """Adds blocks to a member's App Home (e.g. the admins' headline numbers). Listener
    modules export theirs as ``HOME_SECTIONS``.

    Called inside the Home's unit of work, so it never calls Slack: ``admin`` (whether the
    viewer administers SkillSwap) was asked before the unit of work opened. Returns
    ``slack_sdk.models`` blocks (or none).
    """

    def __call__(
        self, *, session: Session, deps: Deps, team_id: str, user_id: str, admin: bool
    ) -> list[Block]: ...


def publish_home(deps: Deps, client: WebClient, team_id: str, user_id: str) -> bool:
    """Build and publish ``user_id``'s Home tab; False when Slack refused it (logged)."""
    # Slack is asked who is an admin before the unit of work opens (users.info).
    sections: list[HomeSection] = collect("HOME_SECTIONS")
    admin = is_admin(deps, client, team_id=team_id, user_id=user_id) if sections else False
    with deps.unit_of_work() as session:
        shown = overview(
            session=session, deps=deps, team_id=team_id, user_id=user_id, with_balance=True
        )
        extra: list[Block] = []
        for section in sections:
            # One feature's failing section must not blank the whole Home tab.
            try:
                with session.begin_nested():
                    extra += section(
                        session=session,
                        deps=deps,
                        team_id=team_id,
                        user_id=user_id,
                        admin=admin,
                    )
            except Exception:
                log.exception(
                    "home section %s failed",
                    getattr(section, "__name__", type(section).__name__),
                    extra={"team_id": team_id, "user_id": user_id},
                )
    view = home_view(shown, extra)
    try:
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        log.warning(
            "views.publish failed: %s",
            exc.response.get("error"),
            extra={"team_id": team_id, "user_id": user_id},
        )
        return False
    return True


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = str(event.get("user") or "")
        team_id = Actor.of(context).team_id
        if not user_id or user_id == SLACKBOT:
            return
        publish_home(deps, client, team_id, user_id)

    @app.action(HomeAction.PAUSE)
    def on_pause(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        ack()
        actor = Actor.of(context)
        team_id, user_id = actor.team_id, actor.user_id
        action = (body.get("actions") or [{}])[0]
        choice = str((action.get("selected_option") or {}).get("value") or "")
        raw = "" if choice == "until" or choice not in PAUSE_CHOICES else choice
        try:
            with deps.unit_of_work() as session:
                pause(session=session, deps=deps, team_id=team_id, user_id=user_id, raw=raw)
        except SkillSwapError as exc:  # no response_url on Home: log, and show the fresh Home
            log.info(
                "pause from Home refused: %s",
                type(exc).__name__,
                extra={"team_id": team_id, "user_id": user_id},
            )
        publish_home(deps, client, team_id, user_id)

    @app.action(HomeAction.RESUME)
    def on_resume(ack: Ack, context: BoltContext, client: WebClient) -> None:
        ack()
        actor = Actor.of(context)
        team_id, user_id = actor.team_id, actor.user_id
        try:
            with deps.unit_of_work() as session:
                resume(session=session, deps=deps, team_id=team_id, user_id=user_id)
        except SkillSwapError as exc:
            log.info(
                "resume from Home refused: %s",
                type(exc).__name__,
                extra={"team_id": team_id, "user_id": user_id},
            )
        publish_home(deps, client, team_id, user_id)
