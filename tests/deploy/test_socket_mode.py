"""``skillswap socket``: the app over a real Socket Mode WebSocket, no public URL, no signing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from fake_socket_mode import FakeSocketMode
from slack_sdk import WebClient
from typer.testing import CliRunner

from bot.cli import build_cli
from bot.cli.socket import run_socket
from bot.deps import Deps
from bot.sim import SlackSimulator
from tests.support import TEAM, make_settings

APP_TOKEN = "xapp-1-A0001-socket-test-token"


@pytest.fixture
def fake() -> Iterator[FakeSocketMode]:
    server = FakeSocketMode().start()
    try:
        yield server
    finally:
        server.stop()


def test_commands_arrive_over_the_websocket_and_stop_closes_it(
    deps: Deps, sim: SlackSimulator, fake: FakeSocketMode
) -> None:
    settings = make_settings(
        deps.settings.database_url,
        sim.api_url,
        slack_app_token=APP_TOKEN,
        slack_signing_secret=None,  # Socket Mode needs none
    )
    socket_deps = Deps(
        settings=settings,
        engine=deps.engine,
        session_factory=deps.session_factory,
        clock=deps.clock,
    )
    stop = threading.Event()
    runner = threading.Thread(
        target=run_socket,
        args=(settings,),
        kwargs={
            "stop": stop,
            "deps": socket_deps,
            "web_client": WebClient(base_url=fake.api_url),
        },
    )
    runner.start()
    try:
        fake.wait_connected()
        assert fake.app_tokens == [APP_TOKEN]

        envelope = fake.send(
            "slash_commands",
            {
                "token": "verification_token",
                "team_id": TEAM,
                "team_domain": "acme",
                "channel_id": "C0GENERAL",
                "user_id": "U_ANA",
                "user_name": "ana",
                "command": "/skillswap",
                "text": "help",
                "api_app_id": "A0001",
                "is_enterprise_install": "false",
                "response_url": sim.new_response_url(),
                "trigger_id": sim.issue_trigger_id(),
            },
        )
        ack = fake.wait_ack(envelope)
        assert ack["envelope_id"] == envelope
        # The help reply travels back in the ack's payload, which Slack shows the member.
        assert "/skillswap" in json.dumps(ack["payload"])
    finally:
        stop.set()
        runner.join(timeout=15)
    assert not runner.is_alive()
    fake.wait_closed_by_app()


def test_socket_without_an_app_token_says_where_to_get_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.chdir(str(tmp_path))
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    result = CliRunner().invoke(build_cli(), ["socket"])
    assert result.exit_code != 0
    assert isinstance(result.exception, Exception)
    assert "SLACK_APP_TOKEN" in str(result.exception)
    assert "connections:write" in str(result.exception)
