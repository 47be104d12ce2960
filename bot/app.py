"""``create_app``: the Bolt app with every listener, built from settings and dependencies."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import SkillSwapError
from bot.handlers import register_all
from bot.logs import bind_log_context, guard_bolt_loggers, reset_log_context
from bot.slack.acks import AckWaitExecutor, awaiting_ack
from bot.slack.actor import Actor
from bot.slack.clients import make_client
from bot.slack.dedupe import DedupeEvents
from bot.slack.oauth import NOT_INSTALLED_MESSAGE, InstallFlow, oauth_settings
from bot.slack.respond import POSTER, PooledRespond, ResponsePoster

log = logging.getLogger(__name__)


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
    Serve it through :mod:`bot.web` (which checks every request's Slack signature) or Socket
    Mode: the app itself does not check signatures again.
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
        client = make_client(deps, token=None, use_settings_token=False)
    client = client or make_client(deps)
    bolt_logger = logging.getLogger("bot.bolt")
    bolt_logger.addFilter(_skip_token_unused)  # the same filter object is never added twice
    app = SkillSwapApp(
        # response_url replies reuse connections (as many as threads may post at once: the
        # listeners', and the requests' own when authorization answers), proxy and TLS as
        # Bolt's Respond would have had them
        poster=ResponsePoster(
            proxy=client.proxy,
            ssl=client.ssl,
            maxsize=settings.listener_threads + settings.web_threads,
        ),
        client=client,
        signing_secret=(
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else None
        ),
        # The token exchange (oauth.v2.access) goes through our client, at SLACK_API_URL.
        oauth_flow=InstallFlow(client=client, settings=oauth) if oauth is not None else None,
        oauth_settings=oauth,  # given, so Bolt does not build a default one from the env
        token_verification_enabled=False,
        # bot.web checks every HTTP request's signature before Bolt parses it (Socket Mode
        # requests carry none): Bolt checking the same HMAC again is work for nothing.
        request_verification_enabled=False,
        listener_executor=AckWaitExecutor(
            max_workers=settings.steady_listener_threads,
            spare_workers=settings.spare_listener_threads,
            thread_name_prefix="listener",
        ),
        user_facing_authorize_error_message=NOT_INSTALLED_MESSAGE,
        logger=bolt_logger,
    )
    app.use(DedupeEvents(deps))
    register_all(app, deps)
    app.error(_on_error)
    guard_bolt_loggers(bolt_logger)  # after registration: every Bolt logger exists by now
    return app


class SkillSwapApp(App):
    """Bolt's App; every log line while it handles a request carries the request's ids.

    Bolt runs middleware one after the other (not nested), so the ids are bound around the
    whole dispatch; listener threads inherit them (see :class:`bot.logs.ContextThreadPoolExecutor`).
    The request's ``ack`` wakes this thread the moment the listener acks (see
    :class:`bot.slack.acks.AckWaitExecutor`). Its ``respond`` posts through one pool of
    kept-alive connections (:class:`bot.slack.respond.PooledRespond`).
    """

    def __init__(self, *, poster: ResponsePoster, **options: Any) -> None:
        super().__init__(**options)
        self.poster = poster

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        context = req.context
        context[POSTER] = self.poster  # for response_urls other than the request's
        if context.response_url:  # before the middleware: authorization may respond too
            context["respond"] = PooledRespond(
                response_url=context.response_url, poster=self.poster
            )
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        token = bind_log_context(
            team_id=context.team_id,
            enterprise_id=context.enterprise_id,
            user_id=context.user_id,
            event_id=event_id if isinstance(event_id, str) else None,
        )
        try:
            with awaiting_ack(context):
                response: BoltResponse = super().dispatch(req)
            return response
        finally:
            reset_log_context(token)


def _on_error(error: Exception, context: BoltContext) -> BoltResponse:
    """Turn domain errors into a friendly reply; log the rest with an id the member can quote."""
    actor = Actor.of(context)
    team, user = actor.team_id or None, actor.user_id or None
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
    respond = context.respond  # the request's response_url (a modal's first), pooled
    if context.response_url and respond is not None:
        try:
            respond(text=message, response_type="ephemeral", replace_original=False)
        except Exception:
            log.warning("could not send the error reply", extra={"team_id": team})
    return BoltResponse(status=200, body="")
