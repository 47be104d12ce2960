"""Who may administer SkillSwap in a workspace, checked server-side on every admin action:
ids configured in settings, ids saved in the workspace's settings, then Slack's own workspace
admins and owners (``users.info``), asked only after the database read has closed."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import NotAllowedError
from bot.slack.users import user_info
from bot.store.workspaces import get_workspace

log = logging.getLogger(__name__)

NOT_AN_ADMIN = (
    "Only SkillSwap admins can do that: Slack workspace admins and owners, or people "
    "an admin added in `/skillswap admin`. Ask one of them if you need it."
)


def slack_admin(client: WebClient, *, team_id: str, user_id: str) -> bool:
    """Slack says ``user_id`` is a workspace admin or owner (False when Slack can't tell)."""
    user = user_info(client, team_id=team_id, user_id=user_id, why="admin check")
    if user is None:
        return False
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def is_admin(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> bool:
    """Configured admins, the workspace's saved admins, then Slack's admins and owners.

    Opens its own read-only unit of work and closes it before asking Slack; never call it with
    a unit of work open."""
    if user_id in deps.settings.configured_admins:
        return True
    with deps.read_only() as session:
        workspace = get_workspace(session=session, team_id=team_id)
        saved = workspace is not None and user_id in (workspace.admin_user_ids or [])
    if saved:
        return True
    return slack_admin(client, team_id=team_id, user_id=user_id)


def require_admin(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> None:
    if not is_admin(deps, client, team_id=team_id, user_id=user_id):
        raise NotAllowedError(NOT_AN_ADMIN)
