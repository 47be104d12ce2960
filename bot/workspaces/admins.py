"""Who may administer SkillSwap in a workspace, checked server-side on every admin action:
ids configured in settings, ids saved in the workspace's settings, then Slack's own workspace
admins and owners (``users.info``), asked only after the database read has closed."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import NotAllowedError
from bot.slack.users import user_info
from bot.store.workspaces import saved_admin_ids

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

    Opens its own (light) read-only unit of work and closes it before asking Slack; never call
    it with a unit of work open."""
    if _configured_or_saved(deps, team_id=team_id, user_id=user_id):
        return True
    return slack_admin(client, team_id=team_id, user_id=user_id)


def _configured_or_saved(deps: Deps, *, team_id: str, user_id: str) -> bool:
    if user_id in deps.settings.configured_admins:
        return True
    with deps.reading() as reader:
        return user_id in saved_admin_ids(session=reader, team_id=team_id)


#: How long what is only *shown* to admins may rest on Slack's last answer about someone.
RECENT_ADMIN_SECONDS = 60.0


class RecentSlackAdmins:
    """Slack's answer to "is this person a workspace admin or owner?" per (team, user), kept
    for ``ttl`` seconds (at most ``limit`` answers; all forgotten when full).

    For what is only shown to admins (the help's admin line), so that a member asking for help
    does not cost a ``users.info``; what admins may *do* asks Slack every time
    (:func:`is_admin`, :func:`require_admin`). Thread-safe."""

    def __init__(
        self,
        ttl: float = RECENT_ADMIN_SECONDS,
        *,
        limit: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._limit = limit
        self._clock = clock
        self._answers: dict[tuple[str, str], tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def get(self, team_id: str, user_id: str) -> bool | None:
        found = self._answers.get((team_id, user_id))
        if found is None or found[0] <= self._clock():
            return None
        return found[1]

    def put(self, team_id: str, user_id: str, admin: bool) -> None:
        with self._lock:
            if len(self._answers) >= self._limit:
                self._answers.clear()
            self._answers[(team_id, user_id)] = (self._clock() + self._ttl, admin)


def shows_admin(
    deps: Deps, client: WebClient, *, team_id: str, user_id: str, recent: RecentSlackAdmins
) -> bool:
    """:func:`is_admin` for what is only shown to admins: Slack's answer may be ``recent``'s
    (up to :data:`RECENT_ADMIN_SECONDS` old); configured and saved admins are read every time.

    Opens its own read-only unit of work; never call it with a unit of work open."""
    if _configured_or_saved(deps, team_id=team_id, user_id=user_id):
        return True
    answer = recent.get(team_id, user_id)
    if answer is None:
        answer = slack_admin(client, team_id=team_id, user_id=user_id)
        recent.put(team_id, user_id, answer)
    return answer


def require_admin(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> None:
    if not is_admin(deps, client, team_id=team_id, user_id=user_id):
        raise NotAllowedError(NOT_AN_ADMIN)
