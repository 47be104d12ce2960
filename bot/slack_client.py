"""Web API clients for work outside a Slack request (rounds, delivery, reports).

Single-workspace installs use ``SLACK_BOT_TOKEN``; multi-workspace (OAuth) installs look the
workspace's bot token up in slack_sdk's installation store.
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot.app import make_client
from bot.deps import Deps
from bot.errors import NotFoundError


def client_for_team(deps: Deps, team_id: str, enterprise_id: str | None = None) -> WebClient:
    settings = deps.settings
    if settings.oauth_enabled:
        from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

        assert settings.slack_client_id is not None
        store = SQLAlchemyInstallationStore(client_id=settings.slack_client_id, engine=deps.engine)
        bot = store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise NotFoundError(f"SkillSwap is not installed in workspace {team_id}.")
        return make_client(deps, token=bot.bot_token)
    return make_client(deps)
