"""A workspace removes SkillSwap (``app_uninstalled``, or ``tokens_revoked`` for the bot token).

* its tokens are deleted at once (slack_sdk's installation store: ``slack_bots`` and
  ``slack_installations``), as Slack asks; in single-workspace mode the token lives in the
  environment and stops working by itself;
* the workspace is marked inactive, so the scheduler starts no new round for it; open rounds
  are closed and messages still waiting in the outbox are cancelled, so nothing more is sent;
* members' skills, pairings and history are **kept** by default, so a reinstall picks up where
  the workspace left off (uninstalling is often a mistake or a temporary measure). Operators
  who host SkillSwap for others set ``DELETE_DATA_ON_UNINSTALL=true`` to delete the workspace
  and everything personal under it (members, skills, rounds, feedback: the schema cascades)
  at the same moment.

Installing again (the OAuth flow, or any request Slack sends from the workspace) makes it
active again (:mod:`bot.workspaces.install`).
"""

from __future__ import annotations

import logging

from bot.deps import Deps
from bot.slack.clients import installation_store
from bot.store.workspaces import stop_workspaces, workspaces_of

log = logging.getLogger(__name__)

CANCELLED_REASON = "cancelled: SkillSwap was uninstalled"


def stop_workspace(
    deps: Deps, *, team_id: str | None, enterprise_id: str | None, reason: str
) -> list[str]:
    """Stop rounds for the workspace (or the org's workspaces); returns their team ids."""
    delete_data = deps.settings.delete_data_on_uninstall
    with deps.unit_of_work() as session:
        stopped = workspaces_of(session=session, team_id=team_id, enterprise_id=enterprise_id)
        teams = [ws.team_id for ws in stopped]
        stop_workspaces(
            session=session,
            workspaces=stopped,
            now=deps.clock.now(),
            reason=CANCELLED_REASON,
            delete_data=delete_data,
        )
    for team in teams:
        log.info(
            "workspace stopped (%s)%s",
            reason,
            ": its data was deleted" if delete_data else "",
            extra={"team_id": team, "enterprise_id": enterprise_id},
        )
    return teams


def delete_tokens(
    deps: Deps,
    *,
    team_id: str | None,
    enterprise_id: str | None,
    user_ids: list[str] | None = None,
) -> None:
    """Forget stored tokens: the bot's and every installer's, or only these users'."""
    store = installation_store(deps)
    if store is None:  # single-workspace mode: the token is in the environment
        return
    if user_ids is None:
        store.delete_all(enterprise_id=enterprise_id, team_id=team_id)
        return
    for user_id in user_ids:
        store.delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
