"""Leaving: ``/skillswap leave`` and deactivated Slack accounts delete a member's data."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from bot.members import catalog
from bot.store import invitations
from bot.store import members as store
from bot.store.workspaces import get_workspace

log = logging.getLogger(__name__)


def erase(*, session: Session, team_id: str, user_id: str, deactivated: bool = False) -> bool:
    """Delete the member and every row of their personal data. True when they were a member.

    ``deactivated`` (their Slack account was deactivated) also drops them from the
    workspace's SkillSwap admin list.
    """
    workspace = get_workspace(session=session, team_id=team_id)
    if workspace is None:
        return False
    skill_ids = store.erase_member(
        session=session, workspace_id=workspace.id, slack_user_id=user_id
    )
    if deactivated and user_id in (workspace.admin_user_ids or []):
        workspace.admin_user_ids = [u for u in workspace.admin_user_ids if u != user_id]
    if skill_ids is None:
        return False
    if not deactivated:
        # Keep only their user id and that they left, so no invitation reaches them again.
        invitations.mark_left(session=session, workspace_id=workspace.id, user_id=user_id)
    catalog.prune(session=session, workspace_id=workspace.id, skill_ids=skill_ids)
    log.info("member erased", extra={"team_id": team_id, "user_id": user_id})
    return True


def is_member(*, session: Session, team_id: str, user_id: str) -> bool:
    workspace = get_workspace(session=session, team_id=team_id)
    return workspace is not None and (
        store.get_member(session=session, workspace_id=workspace.id, slack_user_id=user_id)
        is not None
    )
