"""A workspace's installation lifecycle: installed, uninstalled, tokens revoked.

What SkillSwap does when a workspace removes it (``app_uninstalled``, or ``tokens_revoked``
for the bot token):

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
active again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.kinds import OutboxState, RoundState
from bot.slack.clients import installation_store
from bot.store.models import OutboxMessage, Round, Workspace
from bot.store.workspaces import get_or_create_workspace

log = logging.getLogger(__name__)

UNINSTALLED = "app_uninstalled"
TOKENS_REVOKED = "tokens_revoked"
CANCELLED_REASON = "cancelled: SkillSwap was uninstalled"


class _ActiveTeams:
    """Team ids this process has seen active, so the per-request check is a set lookup."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._teams: set[str] = set()

    def __contains__(self, team_id: object) -> bool:
        with self._lock:
            return team_id in self._teams

    def add(self, team_id: str) -> None:
        with self._lock:
            self._teams.add(team_id)

    def discard(self, team_id: str | None) -> None:
        with self._lock:
            if team_id is None:
                self._teams.clear()
            else:
                self._teams.discard(team_id)


def _workspaces(
    session: Session, *, team_id: str | None, enterprise_id: str | None
) -> list[Workspace]:
    """The workspace (team-level install) or every workspace of an org (org-wide install)."""
    if team_id:
        query = select(Workspace).where(Workspace.team_id == team_id)
    elif enterprise_id:
        query = select(Workspace).where(Workspace.enterprise_id == enterprise_id)
    else:
        return []
    return list(session.scalars(query))


def stop_workspace(
    deps: Deps, *, team_id: str | None, enterprise_id: str | None, reason: str
) -> list[str]:
    """Stop rounds for the workspace (or the org's workspaces); returns their team ids."""
    now = deps.clock.now()
    delete_data = deps.settings.delete_data_on_uninstall
    with deps.unit_of_work() as session:
        stopped = _workspaces(session, team_id=team_id, enterprise_id=enterprise_id)
        ids = [ws.id for ws in stopped]
        if ids:
            session.execute(
                update(Round)
                .where(Round.workspace_id.in_(ids), Round.state != RoundState.CLOSED)
                .values(state=RoundState.CLOSED, closed_at=now)
            )
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.workspace_id.in_(ids),
                    OutboxMessage.state == OutboxState.PENDING,
                )
                .values(state=OutboxState.FAILED, last_error=CANCELLED_REASON)
            )
            for ws in stopped:
                ws.active = False
            if delete_data:
                session.execute(delete(Workspace).where(Workspace.id.in_(ids)))
        teams = [ws.team_id for ws in stopped]
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


def record_installation(deps: Deps, installation: Installation) -> None:
    """After the OAuth flow: the workspace exists, is active, and its installer may admin it."""
    team_id = installation.team_id
    enterprise_id = installation.enterprise_id
    installer = installation.user_id
    with deps.unit_of_work() as session:
        if team_id:
            ws = get_or_create_workspace(
                session=session, team_id=team_id, enterprise_id=enterprise_id
            )
            ws.active = True
            ws.enterprise_id = enterprise_id or ws.enterprise_id
            if installation.team_name:
                ws.name = installation.team_name[:255]
            admins = [str(a) for a in (ws.admin_user_ids or [])]
            if installer and installer not in admins:
                ws.admin_user_ids = [*admins, installer]
        else:  # org-wide install: each workspace gets its row on first contact
            for ws in _workspaces(session, team_id=None, enterprise_id=enterprise_id):
                ws.active = True
    log.info(
        "installed%s",
        " org-wide" if installation.is_enterprise_install else "",
        extra={"team_id": team_id, "enterprise_id": enterprise_id, "user_id": installer},
    )


def _reactivate(deps: Deps, team_id: str) -> None:
    with deps.unit_of_work() as session:
        ws = session.scalars(select(Workspace).where(Workspace.team_id == team_id)).first()
        if ws is not None and not ws.active:
            ws.active = True
            log.info(
                "workspace active again: Slack sent a request from it", extra={"team_id": team_id}
            )


def _event_type(body: dict[str, Any]) -> str | None:
    event = body.get("event")
    return event.get("type") if isinstance(event, dict) else None


def register(app: App, deps: Deps) -> None:
    seen_active = _ActiveTeams()

    def reactivate(
        body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        """A workspace Slack sends authorised requests from is installed, hence active."""
        team_id = context.team_id
        lifecycle = _event_type(body) in (UNINSTALLED, TOKENS_REVOKED)
        if team_id and team_id not in seen_active and not lifecycle:
            _reactivate(deps, team_id)
            seen_active.add(team_id)
        return next()

    app.middleware(reactivate)

    @app.event(UNINSTALLED)
    def on_uninstalled(context: BoltContext) -> None:
        team_id, enterprise_id = context.team_id, context.enterprise_id
        delete_tokens(deps, team_id=team_id, enterprise_id=enterprise_id)
        stop_workspace(deps, team_id=team_id, enterprise_id=enterprise_id, reason=UNINSTALLED)
        seen_active.discard(team_id)

    @app.event(TOKENS_REVOKED)
    def on_tokens_revoked(event: dict[str, Any], context: BoltContext) -> None:
        team_id, enterprise_id = context.team_id, context.enterprise_id
        tokens = event.get("tokens") or {}
        users = [str(u) for u in tokens.get("oauth") or []]
        if users:
            delete_tokens(deps, team_id=team_id, enterprise_id=enterprise_id, user_ids=users)
        if tokens.get("bot"):
            # Without its bot token SkillSwap can do nothing in the workspace.
            delete_tokens(deps, team_id=team_id, enterprise_id=enterprise_id)
            stop_workspace(
                deps, team_id=team_id, enterprise_id=enterprise_id, reason=TOKENS_REVOKED
            )
            seen_active.discard(team_id)
