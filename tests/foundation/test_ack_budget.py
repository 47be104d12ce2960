"""A subcommand that runs long still meets Slack's 3-second ack; its reply comes later."""

from __future__ import annotations

import threading

import pytest

from bot.handlers import commands
from bot.handlers.commands import CommandContext, CommandRegistry, Reply
from tests.support import Harness


def test_work_past_the_budget_is_acked_empty_then_answered_on_the_response_url(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(commands, "ACK_BUDGET_SECONDS", 0.2)
    release = threading.Event()

    def stuck(registry: CommandRegistry, ctx: CommandContext) -> Reply:
        assert release.wait(timeout=10), "the test never released the handler"
        return Reply(text="Done at last.")

    monkeypatch.setattr(commands, "dispatch", stuck)  # the listener looks it up at call time
    try:
        sent = harness.send_command("U1", "stuck")
        # The HTTP answer came back while the handler was still blocked: an empty ack.
        assert sent.status == 200
        assert not release.is_set()
        assert sent.http.body.strip() == ""
    finally:
        release.set()
    late = sent.reply()
    assert late["text"] == "Done at last."


def test_quick_work_answers_in_the_ack(harness: Harness) -> None:
    sent = harness.send_command("U1", "help")
    assert sent.status == 200
    assert "SkillSwap" in sent.ack["text"]
