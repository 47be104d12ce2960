"""Who may administer SkillSwap in a workspace, checked server-side on every admin action."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import NotAllowedError
from bot.store.workspaces import get_workspace

log = logging.getLogger(__name__)


def is_admin(
    *, session: Session, deps: Deps, client: WebClient, team_id: str, user_id: str
) -> bool:
    """Slack workspace admins and owners, plus ids configured in settings or the workspace."""
    if user_id in deps.settings.configured_admins:
        return True
    workspace = get_workspace(session=session, team_id=team_id)
    if workspace is not None and user_id in (workspace.admin_user_ids or []):
        return True
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        log.warning(
            "users.info failed during admin check: %s",
            exc.response.get("error"),
            extra={"team_id": team_id, "user_id": user_id},
        )
        return False
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def require_admin(
    *, session: Session, deps: Deps, client: WebClient, team_id: str, user_id: str
) -> None:
    if not is_admin(session=session, deps=deps, client=client, team_id=team_id, user_id=user_id):
        raise NotAllowedError(
            "Only SkillSwap admins can do that: Slack workspace admins and owners, or people "
            "an admin added in `/skillswap admin`. Ask one of them if you need it."
        )
