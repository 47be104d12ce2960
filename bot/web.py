"""The WSGI application: Slack's endpoints through Bolt, plus ``/healthz``.

``skillswap serve`` runs it under gunicorn; tests run it under a threaded wsgiref server.
With ``SLACK_CLIENT_ID`` / ``SLACK_CLIENT_SECRET`` it also serves Bolt's OAuth flow at
``/slack/install`` and ``/slack/oauth_redirect``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.deps import Deps
from bot.store.db import ping

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1024 * 1024  # Slack's payloads are far smaller; anything bigger is not Slack.

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


class SkillSwapWsgi:
    """The WSGI callable, plus :meth:`close` for a graceful stop of the process serving it."""

    def __init__(self, app: App, deps: Deps) -> None:
        self.app = app
        self.deps = deps
        self._bolt = SlackRequestHandler(app, path=EVENTS_PATH)
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

        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            if status.startswith("401"):
                log.warning("rejected a request to %s: bad or stale Slack signature", path)
            return start_response(status, headers, *exc_info)

        result: Iterable[bytes] = self._bolt(environ, start)
        return result

    def close(self) -> None:
        """Let listeners already running finish (they run after Slack got its ack), then
        release the database. The server has stopped accepting requests by now."""
        executor = self.app.listener_runner.listener_executor
        if isinstance(executor, ThreadPoolExecutor):
            executor.shutdown(wait=True, cancel_futures=False)
        self.deps.engine.dispose()


def create_wsgi_app(app: App, deps: Deps) -> SkillSwapWsgi:
    return SkillSwapWsgi(app, deps)


def build_wsgi_from_settings() -> SkillSwapWsgi:
    """Entry point for a WSGI server process (each gunicorn worker builds its own)."""
    from bot.app import create_app
    from bot.deps import build_deps
    from bot.logs import configure_logging
    from bot.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    settings.require_http()
    deps = build_deps(settings)
    return create_wsgi_app(create_app(deps), deps)
