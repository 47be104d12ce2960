"""Fixtures for the simulator's own tests: a started simulator, a WebClient on it, a driven
clock, and a tiny real Bolt app served over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.sim import SignedClient, SlackSimulator
from tests.sim.helpers import SECRET, TEAM, TOKEN, BoltHarness, DrivenClock


@pytest.fixture
def driven_clock() -> DrivenClock:
    return DrivenClock()


@pytest.fixture
def simulator() -> Iterator[SlackSimulator]:
    with SlackSimulator(tokens={TOKEN: TEAM}) as sim:
        sim.add_user(TEAM, "U1", name="ada", real_name="Ada Lovelace", title="Engineer")
        sim.add_user(TEAM, "U2", name="grace", real_name="Grace Hopper", tz="America/New_York")
        yield sim


@pytest.fixture
def web(simulator: SlackSimulator) -> WebClient:
    return WebClient(token=TOKEN, base_url=simulator.api_url)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def bolt(
    simulator: SlackSimulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[Callable[[App], None]], BoltHarness]]:
    """Build a real Bolt app (listeners registered by the test), serve it, sign requests to it."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    servers: list[_ThreadingWSGIServer] = []

    def build(register: Callable[[App], None]) -> BoltHarness:
        app = App(
            client=WebClient(token=TOKEN, base_url=simulator.api_url),
            signing_secret=SECRET,
        )
        register(app)
        server = make_server(
            "127.0.0.1",
            0,
            SlackRequestHandler(app),
            server_class=_ThreadingWSGIServer,
            handler_class=_QuietHandler,
        )
        assert isinstance(server, _ThreadingWSGIServer)
        servers.append(server)
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        url = f"http://127.0.0.1:{server.server_port}/slack/events"
        return BoltHarness(app, url, SignedClient(url, SECRET, simulator=simulator), simulator)

    yield build
    for server in servers:
        server.shutdown()
        server.server_close()
