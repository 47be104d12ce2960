"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.app import create_app
from bot.clock import ManualClock
from bot.deps import Deps
from bot.settings import Settings
from bot.sim import SignedClient, SlackSimulator
from bot.web import create_wsgi_app

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI", "").lower() == "true"
TEAM = "T0001"
BOT_TOKEN = "xoxb-test-token"
SIGNING_SECRET = "test-signing-secret"
# A Monday morning: the default round day.
START = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def make_settings(
    database_url: str, api_url: str = "http://127.0.0.1:9/api/", **extra: Any
) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": api_url,
        "database_url": database_url,
        "log_level": "INFO",
    }
    values.update(extra)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def server_close(self) -> None:
        """Close the socket, then let the app finish the listeners still running after their
        ack and release its database (as a worker does on SIGTERM): a listener must never
        hold a pooled connection after the test's engine is disposed."""
        super().server_close()
        close = getattr(self.get_app(), "close", None)
        if callable(close):
            close()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Harness:
    """The real app over HTTP, Slack's side (signed requests in, Web API calls recorded)."""

    deps: Deps
    sim: SlackSimulator
    slack: SignedClient
    url: str
    clock: ManualClock
    team_id: str = TEAM


def serve_app(deps: Deps) -> tuple[str, Any]:
    """Serve the real WSGI app on an ephemeral loopback port; returns (events URL, server)."""
    app = create_app(deps)
    server = make_server(
        "127.0.0.1",
        0,
        create_wsgi_app(app, deps),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    return f"http://127.0.0.1:{server.server_port}/slack/events", server
