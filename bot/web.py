"""The WSGI application: Slack's endpoints through Bolt, plus ``/healthz``.

``skillswap serve`` runs it under gunicorn; tests run it under a threaded wsgiref server.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
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


def create_wsgi_app(app: App, deps: Deps) -> WsgiApp:
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)
    slack_paths = {EVENTS_PATH}
    if app.oauth_flow is not None:
        slack_paths |= {app.oauth_flow.install_path, app.oauth_flow.redirect_uri_path}

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            if ping(deps.engine):
                return _json(start_response, "200 OK", {"ok": True, "database": "ok"})
            log.error("health check failed: database unreachable")
            return _json(
                start_response,
                "503 Service Unavailable",
                {"ok": False, "database": "unreachable"},
            )
        if path not in slack_paths:
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
        result: Iterable[bytes] = bolt(environ, start_response)
        return result

    return wsgi


def build_wsgi_from_settings() -> WsgiApp:
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
