"""Listeners for a workspace's lifecycle: every request from an inactive workspace makes it
active again (a middleware); ``app_uninstalled`` and ``tokens_revoked`` stop it. What those do
is :mod:`bot.workspaces.install` and :mod:`bot.workspaces.uninstall`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.deps import Deps
from bot.workspaces.install import reactivate as _reactivate
from bot.workspaces.uninstall import delete_tokens, stop_workspace

log = logging.getLogger(__name__)

UNINSTALLED = "app_uninstalled"
TOKENS_REVOKED = "tokens_revoked"


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


def _event_type(body: dict[str, Any]) -> str | None:
    event = body.get("event")
    return event.get("type") if isinstance(event, dict) else None


class Reactivate(Middleware):
    """A workspace Slack sends authorised requests from is installed, hence active.

    A :class:`Middleware` subclass (``app.use``), not a function: Bolt hands a function
    middleware its arguments by building every injectable one for each request, which costs
    more than this check (a set lookup once the team was seen)."""

    def __init__(self, deps: Deps, seen_active: _ActiveTeams) -> None:
        self._deps = deps
        self._seen_active = seen_active

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        team_id = req.context.team_id
        if (
            team_id
            and team_id not in self._seen_active
            and _event_type(req.body) not in (UNINSTALLED, TOKENS_REVOKED)
        ):
            _reactivate(self._deps, team_id)
            self._seen_active.add(team_id)
        return next()


def register(app: App, deps: Deps) -> None:
    seen_active = _ActiveTeams()
    app.use(Reactivate(deps, seen_active))

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
