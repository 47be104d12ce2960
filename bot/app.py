"""``create_app``: the Bolt app with every listener, built from settings and dependencies."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.deps import Deps
from bot.errors import SkillSwapError
from bot.handlers import register_all
from bot.handlers._dedupe import make_middleware
from bot.handlers.commands import CommandRegistry

log = logging.getLogger(__name__)

# Every bot scope the features use; the manifest and the OAuth flow read this one list.
BOT_SCOPES: tuple[str, ...] = (
    "commands",
    "chat:write",
    "im:write",
    "mpim:write",
    "users:read",
    "files:write",
)


def slack_retry_handlers() -> list[Any]:
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def make_client(deps: Deps, token: str | None = None) -> WebClient:
    """A Web API client pointed at ``SLACK_API_URL`` with retries for 429, 5xx and resets."""
    settings = deps.settings
    if token is None and settings.slack_bot_token is not None:
        token = settings.slack_bot_token.get_secret_value()
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=slack_retry_handlers(),
    )


def oauth_settings(deps: Deps) -> OAuthSettings | None:
    settings = deps.settings
    if not settings.oauth_enabled:
        return None
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    assert settings.slack_client_id is not None and settings.slack_client_secret is not None
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        installation_store=SQLAlchemyInstallationStore(
            client_id=settings.slack_client_id, engine=deps.engine
        ),
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=deps.engine),
        authorization_url=settings.slack_oauth_authorize_url,
    )


def create_app(deps: Deps, *, client: WebClient | None = None) -> App:
    """Build the Bolt app. Nothing here runs at import time."""
    settings = deps.settings
    settings.require_token()
    oauth = oauth_settings(deps)
    app = App(
        client=client or make_client(deps),
        signing_secret=(
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else None
        ),
        oauth_settings=oauth,
        token_verification_enabled=False,
        logger=logging.getLogger("bot.bolt"),
    )
    app.middleware(make_middleware(deps))
    deps.commands = CommandRegistry()
    register_all(app, deps)
    app.error(_on_error)
    return app


def _on_error(error: Exception, body: dict[str, Any], logger: logging.Logger) -> BoltResponse:
    """Turn domain errors into a friendly reply; log the rest with an id the member can quote."""
    from slack_sdk.webhook import WebhookClient

    team = (body.get("team") or {}).get("id") if isinstance(body.get("team"), dict) else None
    team = team or body.get("team_id")
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    if isinstance(error, SkillSwapError):
        message = error.message
    else:
        error_id = uuid.uuid4().hex[:8]
        log.exception(
            "unhandled error", extra={"team_id": team, "user_id": user, "error_id": error_id}
        )
        message = (
            f":warning: Something went wrong on our side (error id `{error_id}`). "
            "Please try again in a minute; if it keeps happening, tell your Slack admin and "
            "quote the id."
        )
    response_url = body.get("response_url")
    if not response_url and body.get("response_urls"):
        response_url = body["response_urls"][0].get("response_url")
    if response_url:
        try:
            WebhookClient(response_url, timeout=5).send(
                text=message, response_type="ephemeral", replace_original=False
            )
        except Exception:
            log.warning("could not send the error reply", extra={"team_id": team})
    return BoltResponse(status=200, body="")
