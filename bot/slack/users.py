"""``users.info``, asked one way: Slack's user object, or None (logged) when Slack can't tell."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def user_info(client: WebClient, *, team_id: str, user_id: str, why: str) -> dict[str, Any] | None:
    """The Slack user object of ``user_id``; None when ``users.info`` fails (``why`` says what
    it was for, in the log line). Never call it with a unit of work open."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        log.warning(
            "users.info failed (%s): %s",
            why,
            exc.response.get("error"),
            extra={"team_id": team_id, "user_id": user_id},
        )
        return None
    return dict(user) if isinstance(user, dict) else None


def user_profile(client: WebClient, *, team_id: str, user_id: str) -> dict[str, Any] | None:
    """``users.profile.get``: the profile with its custom fields; None (logged) on failure.
    Never call it with a unit of work open."""
    try:
        profile = client.users_profile_get(user=user_id)["profile"]
    except SlackApiError as exc:
        log.info(
            "users.profile.get failed: %s",
            exc.response.get("error"),
            extra={"team_id": team_id, "user_id": user_id},
        )
        return None
    return dict(profile) if isinstance(profile, dict) else None
