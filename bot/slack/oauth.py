"""The OAuth install flow (multi-workspace mode): Bolt's flow with SQL stores and SkillSwap's
own pages for ``/slack/install`` and what an installer sees after ``/slack/oauth_redirect``."""

from __future__ import annotations

import html
import logging

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings

from bot.deps import Deps
from bot.slack.clients import installation_store
from bot.workspaces.install import record_installation

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
    # Who takes part: conversations.info / conversations.members of the channels an admin
    # chose (public; private ones the app was invited to), and the members of excluded groups;
    # the same for *Invite people*, and member_joined_channel for the SkillSwap channel.
    "channels:read",
    "groups:read",
    "usergroups:read",
    # users.profile.get / team.profile.get: the custom profile field an admin picks for teams.
    "users.profile:read",
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


class InstallFlow(OAuthFlow):
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
