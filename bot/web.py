"""The WSGI application: Slack's endpoints through Bolt, plus ``/healthz``.

``skillswap serve`` runs it under gunicorn; tests run it under a threaded wsgiref server.
With ``SLACK_CLIENT_ID`` / ``SLACK_CLIENT_SECRET`` it also serves Bolt's OAuth flow at
``/slack/install`` and ``/slack/oauth_redirect``.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest

from bot.deps import Deps
from bot.store.db import WEB_PING_AFTER_IDLE_SECONDS, ping

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1024 * 1024  # Slack's payloads are far smaller; anything bigger is not Slack.
MAX_REQUEST_AGE_SECONDS = 300  # Slack's rule: older signed requests may be replays

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


class _BoltHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, parsing each body once. Bolt lets a parse error escape as a 500;
    a signed body it cannot read is the sender's mistake: 400."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        try:
            bolt_request = BoltRequest(
                body=request.get_body(), query=request.query_string, headers=request.get_headers()
            )
        except Exception as exc:  # any failure to parse is the request's fault
            log.warning("could not parse a signed request (%s)", type(exc).__name__)
            return BoltResponse(status=400, body={"ok": False, "error": "bad_request"})
        response: BoltResponse = self.app.dispatch(bolt_request)
        return response


class SkillSwapWsgi:
    """The WSGI callable, plus :meth:`close` for a graceful stop of the process serving it."""

    def __init__(self, app: App, deps: Deps) -> None:
        self.app = app
        self.deps = deps
        self._bolt = _BoltHandler(app, path=EVENTS_PATH)
        self._slack_paths = {EVENTS_PATH}
        if app.oauth_flow is not None:
            self._slack_paths |= {app.oauth_flow.install_path, app.oauth_flow.redirect_uri_path}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            if ping(self.deps.engine):
                return _json(start_response, "200 OK", {"ok": True, "database": "ok"})
            log.error("health check failed: database unreachable")
            return _json(
                start_response,
                "503 Service Unavailable",
                {"ok": False, "database": "unreachable"},
            )
        if path not in self._slack_paths:
            return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _json(start_response, "400 Bad Request", {"ok": False, "error": "bad_length"})
        if length > MAX_BODY_BYTES:
            return _json(
                start_response, "413 Content Too Large", {"ok": False, "error": "too_large"}
            )
        if path == EVENTS_PATH and method != "POST":
            return _json(
                start_response, "405 Method Not Allowed", {"ok": False, "error": "post_only"}
            )
        if path != EVENTS_PATH and method != "GET":
            return _json(
                start_response, "405 Method Not Allowed", {"ok": False, "error": "get_only"}
            )
        if path == EVENTS_PATH:
            body = _read_body(environ, length)
            if not self._signed_by_slack(environ, body):
                # Checked here, before Bolt parses anything: an unverified body never reaches
                # a listener or an error reply, and unparseable junk cannot cause a 500.
                log.warning("rejected a request to %s: bad or stale Slack signature", path)
                return _json(
                    start_response, "401 Unauthorized", {"ok": False, "error": "invalid_request"}
                )
            environ = {**environ, "wsgi.input": io.BytesIO(body)}
        result: Iterable[bytes] = self._bolt(environ, start_response)
        return result

    def _signed_by_slack(self, environ: dict[str, Any], body: bytes) -> bool:
        """Slack's v0 signature: HMAC-SHA256 over ``v0:{timestamp}:{body}``, at most 5 min old."""
        secret = self.deps.settings.slack_signing_secret
        timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
        signature = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
        if secret is None or not timestamp.isdigit() or not signature.startswith("v0="):
            return False
        if abs(time.time() - int(timestamp)) > MAX_REQUEST_AGE_SECONDS:
            return False
        expected = hmac.new(
            secret.get_secret_value().encode(),
            b"v0:" + timestamp.encode() + b":" + body,
            hashlib.sha256,
        ).hexdigest()
        return hmac.compare_digest(f"v0={expected}", signature)

    def close(self) -> None:
        """Let listeners already running finish (they run after Slack got its ack), then
        release the database. The server has stopped accepting requests by now."""
        executor = self.app.listener_runner.listener_executor
        if isinstance(executor, ThreadPoolExecutor):
            executor.shutdown(wait=True, cancel_futures=False)
        self.deps.engine.dispose()


def _read_body(environ: dict[str, Any], length: int) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None or length <= 0:
        return b""
    data: bytes = stream.read(length)
    return data


def create_wsgi_app(app: App, deps: Deps) -> SkillSwapWsgi:
    return SkillSwapWsgi(app, deps)


def build_wsgi(deps: Deps) -> SkillSwapWsgi:
    """The Bolt app with every listener, served as WSGI (``skillswap serve``, the demo)."""
    from bot.app import create_app

    return create_wsgi_app(create_app(deps), deps)


def build_wsgi_from_settings() -> SkillSwapWsgi:
    """Entry point for a WSGI server process (each gunicorn worker builds its own)."""
    from bot.deps import build_deps
    from bot.logs import configure_logging
    from bot.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    settings.require_http()
    # Requests reuse pooled connections within milliseconds: check only the ones that idled.
    # Every listener thread may hold a connection at once: keep that many open.
    deps = build_deps(
        settings,
        ping_after_idle=WEB_PING_AFTER_IDLE_SECONDS,
        pool_size=settings.listener_threads,
    )
    return build_wsgi(deps)
