"""Who takes part in a round: everyone, or the members of channels an admin chose; minus the
people and user groups an admin left out; guests only when an admin let them in (they are out
by default).

Slack is asked when a round is made, just before its write transaction opens (never inside it),
and when an admin saves the rules, so a channel the app cannot read is refused then.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.store.models import Workspace

log = logging.getLogger(__name__)

PAGE = 200  # users.list / conversations.members page size (Slack recommends 200)


@dataclass(frozen=True)
class Participation:
    """An admin's rules, as saved on the workspace."""

    channels: tuple[str, ...] = ()  # empty: everyone
    excluded_users: tuple[str, ...] = ()
    excluded_groups: tuple[str, ...] = ()
    include_guests: bool = False

    @classmethod
    def of(cls, workspace: Workspace) -> Participation:
        return cls(
            channels=tuple(str(c) for c in workspace.participation_channels or ()),
            excluded_users=tuple(str(u) for u in workspace.excluded_user_ids or ()),
            excluded_groups=tuple(str(g) for g in workspace.excluded_usergroup_ids or ()),
            include_guests=bool(workspace.include_guests),
        )


@dataclass(frozen=True)
class Eligibility:
    """Who may be paired this round, as Slack said just before it was made."""

    channel_members: frozenset[str] | None  # None: everyone in the workspace
    excluded: frozenset[str]  # people left out, members of groups left out, and guests

    def takes_part(self, user_id: str) -> bool:
        if user_id in self.excluded:
            return False
        return self.channel_members is None or user_id in self.channel_members


def channel_members(client: WebClient, channel: str) -> set[str]:
    """Every member of ``channel`` (all pages). Raises ``SlackApiError`` when the app cannot
    read it (``channel_not_found`` for a private channel it was not invited to)."""
    found: set[str] = set()
    cursor: str | None = None
    while True:
        page = client.conversations_members(channel=channel, limit=PAGE, cursor=cursor)
        found.update(str(u) for u in page.get("members") or ())
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return found


def usergroup_members(client: WebClient, usergroup: str) -> set[str]:
    return {str(u) for u in client.usergroups_users_list(usergroup=usergroup).get("users") or ()}


def guests(client: WebClient) -> set[str]:
    """Multi- and single-channel guests of the workspace (``users.list``, all pages)."""
    found: set[str] = set()
    cursor: str | None = None
    while True:
        page = client.users_list(limit=PAGE, cursor=cursor)
        for user in page.get("members") or ():
            if user.get("is_restricted") or user.get("is_ultra_restricted"):
                found.add(str(user.get("id")))
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return found


def resolve(client: WebClient, rules: Participation) -> Eligibility:
    """Ask Slack who the rules let in. Raises ``SlackApiError`` if a channel or group is gone
    or unreadable: the caller makes no round rather than pair the wrong people."""
    members: frozenset[str] | None = None
    if rules.channels:
        collected: set[str] = set()
        for channel in rules.channels:
            collected |= channel_members(client, channel)
        members = frozenset(collected)
    excluded = set(rules.excluded_users)
    for group in rules.excluded_groups:
        excluded |= usergroup_members(client, group)
    if not rules.include_guests:
        excluded |= guests(client)
    return Eligibility(channel_members=members, excluded=frozenset(excluded))
