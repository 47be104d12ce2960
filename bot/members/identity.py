"""Who someone is in Slack (``users.info``, ``team_join``, ``user_change``) and becoming a member.

Slack is asked before a unit of work opens (:func:`newcomer`), never inside one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import NotAllowedError
from bot.slack.users import user_info, user_profile
from bot.store import invitations
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
    team: str | None = None  # from the Slack profile: the admin's custom field, or the title

    @property
    def is_person(self) -> bool:
        return not (self.is_bot or self.deleted or self.user_id == SLACKBOT)


def team_from_profile(profile: Mapping[str, Any], field_id: str | None = None) -> str | None:
    """The team a Slack profile names: the custom field an admin picked, else the title."""
    fields = profile.get("fields") or {}
    if field_id and isinstance(fields, Mapping):
        value = (fields.get(field_id) or {}).get("value")
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())[:80]
    title = profile.get("title")
    if isinstance(title, str) and title.strip():
        return " ".join(title.split())[:80]
    return None


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
        team=team_from_profile(profile),
    )


def not_a_person_error() -> NotAllowedError:
    return NotAllowedError(
        "SkillSwap pairs people, so bots, apps and deactivated accounts can't join. "
        "If you're a person and see this, ask your Slack admin to check your account."
    )


def fetch_person(
    client: WebClient, team_id: str, user_id: str, team_field: str | None = None
) -> SlackPerson:
    """The person behind ``user_id``; if Slack can't tell us, what we know (just the id).

    With ``team_field`` (a custom profile field an admin picked) their team comes from that
    field (``users.profile.get``), else from their title."""
    if user_id == SLACKBOT:
        return SlackPerson(user_id=user_id, is_bot=True)
    user = user_info(client, team_id=team_id, user_id=user_id, why="who is joining")
    if user is None:
        return SlackPerson(user_id=user_id)
    person = person_from_user(user)
    if team_field and person.is_person:
        profile = user_profile(client, team_id=team_id, user_id=user_id)
        if profile is not None:
            person = replace(person, team=team_from_profile(profile, team_field) or person.team)
    return person


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
        workspace = get_workspace(session=session, team_id=team_id)
        team_field = workspace.team_field if workspace is not None else None
    person = fetch_person(client, team_id, user_id, team_field)
    if not person.is_person:
        raise not_a_person_error()
    return person


def ensure_member(
    *,
    session: Session,
    workspace: Workspace,
    user_id: str,
    person: SlackPerson | None,
    now: datetime | None = None,
    from_channel: str | None = None,
) -> tuple[Member, bool]:
    """The member row, created on first action. Returns (member, created)."""
    found = store.get_member(session=session, workspace_id=workspace.id, slack_user_id=user_id)
    if found is not None:
        return found, False
    member = join(
        session,
        workspace.id,
        workspace.team_id,
        user_id,
        person,
        now=now,
        from_channel=from_channel,
    )
    return member, True


def join(
    session: Session,
    workspace_id: int,
    team_id: str,
    user_id: str,
    person: SlackPerson | None,
    *,
    now: datetime | None = None,
    from_channel: str | None = None,
) -> Member:
    """Make someone a member (their team from the Slack profile until they give one); an
    invitation they had counts as converted."""
    person = person or SlackPerson(user_id=user_id)
    if not person.is_person:
        raise not_a_person_error()
    moment = now or datetime.now(UTC)
    member = store.create_member(
        session=session,
        workspace_id=workspace_id,
        slack_user_id=user_id,
        display_name=person.display_name,
        tz=person.tz,
        team_label=person.team,
        joined_at=moment,
    )
    invitations.mark_joined(
        session=session,
        workspace_id=workspace_id,
        user_id=user_id,
        now=moment,
        from_channel=from_channel,
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
    if person.team and not member.team_label:
        member.team_label = person.team  # they gave none: their Slack profile's team
    return True
