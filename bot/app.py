"""``create_app``: the Bolt app with every listener, built from settings and dependencies."""

from __future__ import annotations

import html
import logging
import uuid
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
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
from bot.logs import (
    ContextThreadPoolExecutor,
    bind_log_context,
    guard_bolt_loggers,
    reset_log_context,
)

if TYPE_CHECKING:
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

log = logging.getLogger(__name__)

# The least bot scopes the features need; the manifest and the OAuth flow read this one list.
# tests/deploy proves it equals what the code needs (Web API methods called, events, commands),
# see bot.manifest.scopes_needed.
BOT_SCOPES: tuple[str, ...] = (
    "commands",  # the /skillswap slash command
    "chat:write",  # intros, check-ins, reminders, round summaries: chat.postMessage/update
    "im:write",  # conversations.open with one member (check-ins, charts, welcome DMs)
    "mpim:write",  # conversations.open with every member of a pair or trio (the intro DM)
    # conversations.history of those DMs: after a crash mid-send, delivery looks for the
    # message it may already have posted instead of posting it twice.
    "im:history",
    "mpim:history",
    "users:read",  # users.info (names, time zones, admins); team_join and user_change events
    "files:write",  # files.upload v2: the admins' insights charts, in a DM
)

# Where Bolt's OAuth flow answers (multi-workspace installs only).
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
OAUTH_STATE_TTL_SECONDS = 600
# What a member sees when their workspace has no (or no longer an) installation.
NOT_INSTALLED_MESSAGE = (
    ":warning: SkillSwap isn't installed in this workspace (any more). "
    "Ask a Slack admin to install it, then try again."
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


def oauth_settings(deps: Deps) -> OAuthSettings | None:
    """Bolt's OAuth flow (``/slack/install``, ``/slack/oauth_redirect``) with SQL stores."""
    settings = deps.settings
    store = installation_store(deps)
    if store is None or settings.slack_client_secret is None:
        return None
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    return OAuthSettings(
        client_id=store.client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        user_scopes=[],  # SkillSwap acts only as its bot; it never asks for user tokens
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=settings.slack_oauth_authorize_url,
        installation_store=store,
        installation_store_bot_only=True,
        state_store=SQLAlchemyOAuthStateStore(
            expiration_seconds=OAUTH_STATE_TTL_SECONDS,
            engine=deps.engine,
            logger=logging.getLogger("bot.installations"),
        ),
        state_expiration_seconds=OAUTH_STATE_TTL_SECONDS,
        callback_options=callback_options(deps, install_path=INSTALL_PATH),
        logger=logging.getLogger("bot.bolt.oauth"),
    )


class _SkipTokenUnusedWarning(logging.Filter):
    """Bolt warns that ``SLACK_BOT_TOKEN`` (which it reads from the environment itself) goes
    unused when it is handed a client; ours carries that very token, so nothing is wrong."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


_skip_token_unused = _SkipTokenUnusedWarning()


def create_app(deps: Deps, *, client: WebClient | None = None) -> App:
    """Build the Bolt app. Nothing here runs at import time.

    Single-workspace mode authorises every request with ``SLACK_BOT_TOKEN``; with
    ``SLACK_CLIENT_ID`` / ``SLACK_CLIENT_SECRET`` each request is authorised with the token
    its workspace stored when it installed the app (and ``SLACK_BOT_TOKEN`` is ignored).
    """
    settings = deps.settings
    settings.require_token()
    oauth = oauth_settings(deps)
    if oauth is not None and client is None:
        if settings.slack_bot_token is not None:
            log.warning(
                "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set: multi-workspace mode, "
                "SLACK_BOT_TOKEN is ignored"
            )
        # No default token: Bolt sets each workspace's token on the per-request client.
        client = WebClient(
            token=None,
            base_url=settings.slack_api_url,
            timeout=10,
            retry_handlers=slack_retry_handlers(),
        )
    client = client or make_client(deps)
    bolt_logger = logging.getLogger("bot.bolt")
    bolt_logger.addFilter(_skip_token_unused)  # the same filter object is never added twice
    app = SkillSwapApp(
        client=client,
        signing_secret=(
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else None
        ),
        # The token exchange (oauth.v2.access) goes through our client, at SLACK_API_URL.
        oauth_flow=_InstallFlow(client=client, settings=oauth) if oauth is not None else None,
        oauth_settings=oauth,  # given, so Bolt does not build a default one from the env
        token_verification_enabled=False,
        listener_executor=ContextThreadPoolExecutor(
            max_workers=settings.listener_threads, thread_name_prefix="listener"
        ),
        user_facing_authorize_error_message=NOT_INSTALLED_MESSAGE,
        logger=bolt_logger,
    )
    app.middleware(make_middleware(deps))
    deps.commands = CommandRegistry()
    register_all(app, deps)
    app.error(_on_error)
    guard_bolt_loggers(bolt_logger)  # after registration: every Bolt logger exists by now
    return app


class SkillSwapApp(App):
    """Bolt's App; every log line while it handles a request carries the request's ids.

    Bolt runs middleware one after the other (not nested), so the ids are bound around the
    whole dispatch; listener threads inherit them (see :class:`ContextThreadPoolExecutor`).
    """

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        context = req.context
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        token = bind_log_context(
            team_id=context.team_id,
            enterprise_id=context.enterprise_id,
            user_id=context.user_id,
            event_id=event_id if isinstance(event_id, str) else None,
        )
        try:
            response: BoltResponse = super().dispatch(req)
            return response
        finally:
            reset_log_context(token)


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


# --------------------------------------------------------------------------- install pages

_FAILURES: dict[str, tuple[int, str]] = {
    "access_denied": (
        200,
        "The installation was cancelled, so nothing changed in your workspace.",
    ),
    "invalid_browser": (
        400,
        "This browser did not start the installation. Start it again here, in the same browser.",
    ),
    "invalid_state": (
        400,
        "This installation link has expired or was already used. Start the installation again.",
    ),
    "missing_code": (
        400,
        "Slack did not send an installation code. Start the installation again.",
    ),
    "invalid_code": (
        400,
        "Slack did not accept the installation code (it may have been used already). "
        "Start the installation again.",
    ),
    "storage_error": (
        500,
        "SkillSwap could not save the installation. Try again in a minute; if it keeps "
        "failing, tell whoever runs SkillSwap for your company.",
    ),
}


def _page(status: int, title: str, paragraphs: list[str], settings: OAuthSettings) -> BoltResponse:
    return BoltResponse(
        status=status,
        body=_html(title, paragraphs),
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            "Set-Cookie": settings.state_utils.build_set_cookie_for_deletion(),
        },
    )


class _InstallFlow(OAuthFlow):
    """Bolt's OAuth flow with SkillSwap's own install page."""

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        return _html(
            "Install SkillSwap",
            [
                "SkillSwap pairs colleagues every week to teach each other what they know: "
                "a work skill, a language, an instrument.",
                f'<a class="button" href="{html.escape(url)}">Add SkillSwap to Slack</a>',
                "Slack will ask you to allow SkillSwap to use a slash command, send direct "
                "messages and read people's names and time zones.",
            ],
        )


def _html(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;"
        "padding:0 1rem;line-height:1.5;color:#1d1c1d}a{color:#1264a3}"
        "a.button{display:inline-block;padding:.6rem 1rem;border-radius:6px;background:#4a154b;"
        "color:#fff;text-decoration:none;font-weight:600}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def callback_options(deps: Deps, *, install_path: str) -> CallbackOptions:
    """The pages an installer sees after Slack sends them back to ``/slack/oauth_redirect``."""

    def success(args: SuccessArgs) -> BoltResponse:
        from bot.handlers.uninstall import record_installation

        installation = args.installation
        record_installation(deps, installation)
        team = html.escape(installation.team_name or installation.enterprise_name or "Slack")
        open_url = "slack://open"
        if installation.app_id and installation.team_id:
            open_url = html.escape(
                f"slack://app?team={installation.team_id}&id={installation.app_id}&tab=home"
            )
        return _page(
            200,
            "SkillSwap is installed",
            [
                f"SkillSwap is now part of <strong>{team}</strong>.",
                f'<a href="{open_url}">Open SkillSwap in Slack</a>, or type '
                "<code>/skillswap help</code> in any channel to get started: say what you can "
                "teach and what you'd like to learn, and you'll be paired in the next round.",
            ],
            args.settings,
        )

    def failure(args: FailureArgs) -> BoltResponse:
        status, message = _FAILURES.get(
            args.reason,
            (
                args.suggested_status_code if args.suggested_status_code >= 400 else 400,
                "The installation did not complete. Start it again.",
            ),
        )
        # The reason only: a storage error's text can quote the SQL parameters (the token).
        log.warning(
            "installation failed: %s%s",
            args.reason,
            f" ({type(args.error).__name__})" if args.error is not None else "",
        )
        again = html.escape(install_path)
        return _page(
            status,
            "SkillSwap was not installed",
            [html.escape(message), f'<a href="{again}">Install SkillSwap again</a>'],
            args.settings,
        )

    return CallbackOptions(success=success, failure=failure)
