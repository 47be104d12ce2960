"""The app answers Slack's signed HTTP requests, and only those."""

from __future__ import annotations

import json
import time
import urllib.request

from bot.clock import ManualClock
from bot.deps import Deps
from bot.sim import SlackSimulator
from bot.store.db import make_engine, make_session_factory
from tests.support import Harness, make_settings, serve, shown_text


def test_signed_slash_command_reaches_listener_and_reply_reaches_slack(harness: Harness) -> None:
    posted = harness.command("U100", "help")
    assert "/skillswap teach" in shown_text(posted)


def test_unknown_subcommand_suggests_the_closest(harness: Harness) -> None:
    posted = harness.command("U100", "hepl")
    assert "help" in shown_text(posted).lower()


def test_unsigned_request_is_rejected(harness: Harness) -> None:
    body = b"command=%2Fskillswap&text=help&team_id=T0001&user_id=U1"
    reply = harness.slack.post(
        "/slack/events", body, "application/x-www-form-urlencoded", signature="v0=deadbeef"
    )
    assert reply.status == 401
    harness.drain()
    assert harness.sim.responses() == []


def test_six_minute_old_request_is_rejected(harness: Harness) -> None:
    body = b"command=%2Fskillswap&text=help&team_id=T0001&user_id=U1"
    reply = harness.slack.post(
        "/slack/events",
        body,
        "application/x-www-form-urlencoded",
        timestamp=int(time.time()) - 6 * 60,
    )
    assert reply.status == 401
    harness.drain()
    assert harness.sim.responses() == []


def _get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_healthz_reports_the_database(harness: Harness) -> None:
    status, body = _get(harness.url.replace("/slack/events", "/healthz"))
    assert (status, body["database"]) == (200, "ok")


def test_healthz_is_503_when_the_database_is_unreachable(
    deps: Deps, sim: SlackSimulator, clock: ManualClock
) -> None:
    bad_url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    engine = make_engine(bad_url, connect_args={"connect_timeout": 1})
    broken = Deps(
        settings=make_settings(bad_url, deps.settings.slack_api_url),
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=deps.clock,
    )
    try:
        with serve(broken, sim, clock) as app:
            status, body = _get(app.url.replace("/slack/events", "/healthz"))
    finally:
        engine.dispose()
    assert (status, body["database"]) == (503, "unreachable")


def test_unknown_path_is_404_and_huge_body_is_413(harness: Harness) -> None:
    status, _ = _get(harness.url.replace("/slack/events", "/nope"))
    assert status == 404
    reply = harness.slack.post(
        "/slack/events", b"x" * (2 * 1024 * 1024), "application/x-www-form-urlencoded"
    )
    assert reply.status == 413
