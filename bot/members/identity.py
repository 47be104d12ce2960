"""Who someone is in Slack (``users.info``, ``team_join``, ``user_change``) and becoming a member.

Slack is asked before a unit of work opens (:func:`newcomer`), never inside one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import NotAllowedError
from bot.slack.users import user_info
from bot.store import members as store
from bot.store.models import Member, Workspace
from bot.store.workspaces import get_workspace

log = logging.getLogger(__name__)

SLACKBOT = "USLACKBOT"


@dataclass(frozen=True)
class SlackPerson:
    """What we keep from ``users.info``."""

    user_id: str
    display_name: str | None = None
    tz: str | None = None
    is_bot: bool = False
    deleted: bool = False
    is_guest: bool = False

    @property
    def is_person(self) -> bool:
        return not (self.is_bot or self.deleted or self.user_id == SLACKBOT)


def person_from_user(user: Mapping[str, Any]) -> SlackPerson:
    """A ``SlackPerson`` from a Slack user object (``users.info``, ``team_join``…)."""
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or None
    )
    return SlackPerson(
        user_id=str(user.get("id") or ""),
        display_name=str(name)[:255] if name else None,
        tz=str(user["tz"])[:64] if user.get("tz") else None,
        is_bot=bool(user.get("is_bot") or user.get("is_app_user")),
        deleted=bool(user.get("deleted")),
        is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
    )


def not_a_person_error() -> NotAllowedError:
    return NotAllowedError(
        "SkillSwap pairs people, so bots, apps and deactivated accounts can't join. "
        "If you're a person and see this, ask your Slack admin to check your account."
    )


def fetch_person(client: WebClient, team_id: str, user_id: str) -> SlackPerson:
    """The person behind ``user_id``; if Slack can't tell us, what we know (just the id)."""
    if user_id == SLACKBOT:
        return SlackPerson(user_id=user_id, is_bot=True)
    user = user_info(client, team_id=team_id, user_id=user_id, why="who is joining")
    return SlackPerson(user_id=user_id) if user is None else person_from_user(user)


def newcomer(deps: Deps, client: WebClient, team_id: str, user_id: str) -> SlackPerson | None:
    """``users.info`` for someone who is not a member yet; None for existing members.

    The one way in for anyone who may join (teach, learn, the profile form): it runs before
    the unit of work that joins them, so no transaction waits on Slack. Raises
    :class:`NotAllowedError` for bots, apps, Slackbot and deactivated accounts.
    """
    if user_id == SLACKBOT:
        raise not_a_person_error()
    with deps.read_only() as session:
        if store.member_exists(session=session, team_id=team_id, slack_user_id=user_id):
            return None
    person = fetch_person(client, team_id, user_id)
    if not person.is_person:
        raise not_a_person_error()
    return person


def ensure_member(
    *, session: Session, workspace: Workspace, user_id: str, person: SlackPerson | None
) -> tuple[Member, bool]:
    """The member row, created on first action. Returns (member, created)."""
    found = store.get_member(session=session, workspace_id=workspace.id, slack_user_id=user_id)
    if found is not None:
        return found, False
    return join(session, workspace.id, workspace.team_id, user_id, person), True


def join(
    session: Session, workspace_id: int, team_id: str, user_id: str, person: SlackPerson | None
) -> Member:
    person = person or SlackPerson(user_id=user_id)
    if not person.is_person:
        raise not_a_person_error()
    member = store.create_member(
        session=session,
        workspace_id=workspace_id,
        slack_user_id=user_id,
        display_name=person.display_name,
        tz=person.tz,
    )
    log.info("member joined", extra={"team_id": team_id, "user_id": user_id})
    return member


def refresh_person(*, session: Session, team_id: str, person: SlackPerson) -> bool:
    """Keep a member's name and time zone current (``user_change``). True if they're a member."""
    workspace = get_workspace(session=session, team_id=team_id)
    if workspace is None:
        return False
    member = store.get_member(
        session=session, workspace_id=workspace.id, slack_user_id=person.user_id
    )
    if member is None:
        return False
    if person.display_name:
        member.display_name = person.display_name
    if person.tz:
        member.tz = person.tz
    return True
