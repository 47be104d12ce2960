"""One log configuration: JSON lines with team/user ids, never a token, never members' words."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.logs import (
    ContextThreadPoolExecutor,
    bind_log_context,
    configure_logging,
    reset_log_context,
)
from tests.deploy.deploy_kit import OAuthHarness
from tests.support import Harness

TOKEN = "xoxb-1234-5678-abcdefSECRET"


@pytest.fixture
def json_logs() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """``configure_logging(json)``, its one handler writing to a buffer; restored afterwards."""
    root = logging.getLogger()
    names = ("slack_sdk", "slack_bolt", "bot.bolt", "gunicorn.error", "gunicorn.access")
    saved = (list(root.handlers), root.level, {n: logging.getLogger(n).level for n in names})
    configure_logging("DEBUG", "json")
    [handler] = root.handlers
    buffer = io.StringIO()
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)

    def lines() -> list[dict[str, Any]]:
        return [json.loads(line) for line in buffer.getvalue().splitlines() if line]

    try:
        yield lines
    finally:
        handlers, level, levels = saved
        for old in list(root.handlers):
            root.removeHandler(old)
        for kept in handlers:
            root.addHandler(kept)
        root.setLevel(level)
        for name, old_level in levels.items():
            logging.getLogger(name).setLevel(old_level)


def test_ids_bound_for_a_request_reach_lines_logged_in_listener_threads(
    json_logs: Callable[[], list[dict[str, Any]]],
) -> None:
    log = logging.getLogger("bot.example")
    token = bind_log_context(team_id="T1", user_id="U1")
    try:
        with ContextThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(log.info, "in a listener thread").result()
        log.info("explicit ids win", extra={"user_id": "U2", "round_id": 7})
    finally:
        reset_log_context(token)
    log.info("after the request")

    threaded, explicit, after = json_logs()
    assert (threaded["team_id"], threaded["user_id"]) == ("T1", "U1")
    assert (explicit["team_id"], explicit["user_id"], explicit["round_id"]) == ("T1", "U2", 7)
    assert "team_id" not in after and "user_id" not in after


def test_tokens_are_masked_wherever_they_appear(
    json_logs: Callable[[], list[dict[str, Any]]],
) -> None:
    log = logging.getLogger("bot.example")
    log.warning("token in the message %s", TOKEN)
    log.warning("token in a field", extra={"team_id": TOKEN})
    try:
        raise RuntimeError(f"Slack said no for {TOKEN} and xapp-1-A1-2-3abc")
    except RuntimeError:
        log.exception("token in an exception")
    output = json.dumps(json_logs())
    assert "SECRET" not in output
    assert "xapp-1" not in output
    assert output.count("[redacted-token]") >= 4


def test_a_request_from_a_workspace_without_installation_is_logged_with_its_ids(
    oauth: OAuthHarness, json_logs: Callable[[], list[dict[str, Any]]]
) -> None:
    """Bolt's own line (no ``extra=``) still says which workspace and member it was."""
    oauth.command("U_LOST", "teach my secret words", team_id="TNOPE")
    oauth.drain()
    lines = json_logs()
    [missing] = [r for r in lines if "AuthorizeResult" in r["msg"]]
    assert (missing["team_id"], missing["user_id"]) == ("TNOPE", "U_LOST")
    assert "secret words" not in json.dumps(lines)


def test_a_signed_command_logs_its_ids_and_not_its_text(
    harness: Harness, json_logs: Callable[[], list[dict[str, Any]]]
) -> None:
    harness.command("U_ANA", "hepl me with words")
    harness.drain()
    lines = json_logs()
    assert any(r.get("team_id") == harness.team_id and r.get("user_id") == "U_ANA" for r in lines)
    output = json.dumps(lines)
    assert "with words" not in output
    assert "xoxb-" not in output


def test_rejected_requests_are_logged_without_their_body(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Checked on every record (any handler), not only in our formatted lines."""
    caplog.set_level(logging.DEBUG)
    for timestamp in (int(time.time()) - 600, None):
        reply = harness.slack.post(
            "/slack/events",
            b"command=%2Fskillswap&team_id=T0001&user_id=U1&text=teach+my+secret+words",
            "application/x-www-form-urlencoded",
            timestamp=timestamp,
            signature=None if timestamp else "v0=" + "0" * 64,
        )
        assert reply.status == 401
    messages = [r.getMessage() for r in caplog.records]
    assert sum(m.startswith("rejected a request to /slack/events") for m in messages) == 2
    assert not any("secret" in m for m in messages)
    harness.drain()
    assert harness.sim.calls == []  # nothing reached Slack: no reply to an unverified URL


def test_bolt_lines_quoting_bodies_are_cut_on_bolts_own_loggers(harness: Harness) -> None:
    """Bolt copies its app logger's filters to each of its loggers: every handler benefits."""
    bolt_loggers = [
        logging.getLogger(name)
        for name in list(logging.root.manager.loggerDict)
        if name.startswith("slack_bolt.") or name == "bot.bolt"
    ]
    assert bolt_loggers
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    keep = Keep()
    for target in bolt_loggers:  # whichever of Bolt's loggers would quote a body
        level = target.level
        target.addHandler(keep)
        target.setLevel(logging.INFO)
        try:
            target.info("Invalid request signature detected (signature: v0=x, body: text=my+words)")
        finally:
            target.removeHandler(keep)
            target.setLevel(level)
    assert seen == ["Invalid request signature detected (signature: v0=x, body: [omitted]"] * len(
        bolt_loggers
    )
