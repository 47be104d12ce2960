"""Web API clients: for a request (Bolt's), and for work outside one (rounds, delivery, reports).

Single-workspace installs use ``SLACK_BOT_TOKEN``; multi-workspace (OAuth) installs look the
workspace's bot token up in slack_sdk's installation store: the workspace's own installation
first, then its organisation's (an Enterprise Grid org-wide install).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import and_, desc

from bot.deps import Deps
from bot.errors import NotFoundError

if TYPE_CHECKING:
    from slack_sdk.oauth.installation_store import Bot
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore


def slack_retry_handlers() -> list[Any]:
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def make_client(
    deps: Deps, token: str | None = None, *, use_settings_token: bool = True
) -> WebClient:
    """A Web API client pointed at ``SLACK_API_URL`` with retries for 429, 5xx and resets.

    Without ``token`` it carries ``SLACK_BOT_TOKEN``, unless ``use_settings_token`` is False
    (multi-workspace mode: Bolt sets each workspace's token on the per-request client)."""
    settings = deps.settings
    if token is None and use_settings_token and settings.slack_bot_token is not None:
        token = settings.slack_bot_token.get_secret_value()
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=slack_retry_handlers(),
    )


def installation_store(deps: Deps) -> SQLAlchemyInstallationStore | None:
    """slack_sdk's installation store on our database (multi-workspace mode), else None.

    Its tables (``slack_installations``, ``slack_bots``) are created by our migrations.
    """
    settings = deps.settings
    if not settings.oauth_enabled or settings.slack_client_id is None:
        return None
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    return SQLAlchemyInstallationStore(
        client_id=settings.slack_client_id,
        engine=deps.engine,
        logger=logging.getLogger("bot.installations"),
    )


def client_for_team(deps: Deps, team_id: str, enterprise_id: str | None = None) -> WebClient:
    """A client carrying the bot token of ``team_id``.

    Raises :class:`NotFoundError` when SkillSwap is not (or no longer) installed there.
    """
    store = installation_store(deps)
    if store is None:
        return make_client(deps)
    bot = store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
    if bot is None:  # the caller may not know the workspace's org: look by team id alone
        bot = _latest_bot_of_team(store, team_id)
    if (bot is None or not bot.bot_token) and enterprise_id:
        bot = store.find_bot(enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True)
    if bot is None or not bot.bot_token:
        raise NotFoundError(f"SkillSwap is not installed in workspace {team_id}.")
    return make_client(deps, token=bot.bot_token)


def _latest_bot_of_team(store: SQLAlchemyInstallationStore, team_id: str) -> Bot | None:
    c = store.bots.c
    query = (
        store.bots.select()
        .where(and_(c.client_id == store.client_id, c.team_id == team_id, c.bot_token.is_not(None)))
        .order_by(desc(c.installed_at))
        .limit(1)
    )
    with store.engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    return store.build_bot_entity(row) if row is not None else None
