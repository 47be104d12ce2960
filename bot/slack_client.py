"""Web API clients for work outside a Slack request (rounds, delivery, reports).

Single-workspace installs use ``SLACK_BOT_TOKEN``; multi-workspace (OAuth) installs look the
workspace's bot token up in slack_sdk's installation store: the workspace's own installation
first, then its organisation's (an Enterprise Grid org-wide install).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_sdk import WebClient
from sqlalchemy import and_, desc

from bot.app import installation_store, make_client
from bot.deps import Deps
from bot.errors import NotFoundError

if TYPE_CHECKING:
    from slack_sdk.oauth.installation_store import Bot
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore


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
