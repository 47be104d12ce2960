"""Fixtures for the simulator's own tests: a started simulator, a WebClient on it, a driven
clock, and a tiny real Bolt app served over HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.sim import SignedClient, SlackSimulator
from tests.sim.sim_kit import SECRET, TEAM, TOKEN, BoltHarness, DrivenClock
from tests.support import Listeners, LoopbackServer, serve_wsgi


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


@pytest.fixture
def bolt(
    simulator: SlackSimulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[Callable[[App], None]], BoltHarness]]:
    """Build a real Bolt app (listeners registered by the test), serve it, sign requests to it."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    servers: list[LoopbackServer] = []

    def build(register: Callable[[App], None]) -> BoltHarness:
        app = App(
            client=WebClient(token=TOKEN, base_url=simulator.api_url),
            signing_secret=SECRET,
        )
        register(app)
        listeners = Listeners(app)
        served = serve_wsgi(SlackRequestHandler(app))
        servers.append(served)
        return BoltHarness(
            app=app,
            url=served.url,
            slack=SignedClient(served.url, SECRET, simulator=simulator),
            sim=simulator,
            listeners=listeners,
            team_id=TEAM,
        )

    yield build
    for served in servers:
        served.stop()
