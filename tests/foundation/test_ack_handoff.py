"""The ack goes back the moment the listener acks: not one Bolt poll tick later, not after the
Slack calls the listener makes once it has acked."""

from __future__ import annotations

import time

import pytest
from slack_bolt.listener import thread_runner

from bot.blocks.members import LeaveValue, MemberAction
from bot.handlers import commands
from bot.handlers.commands import CommandContext, CommandRegistry, Reply
from tests.support import Harness, shown_text


class _BoltPollWatch:
    """Stands in for the ``time`` module of Bolt's ``ThreadListenerRunner``, which sleeps
    10 ms at a time until the listener's ack is set; counts those sleeps (and still sleeps).

    Pins Bolt: if the runner stops importing ``time`` this way, setting it up fails."""

    def __init__(self) -> None:
        self.ticks = 0

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        self.ticks += 1
        time.sleep(seconds)


@pytest.fixture
def bolt_poll(monkeypatch: pytest.MonkeyPatch) -> _BoltPollWatch:
    watch = _BoltPollWatch()
    monkeypatch.setattr(thread_runner, "time", watch)
    return watch


def test_commands_and_clicks_are_acked_without_waiting_for_bolts_poll(
    harness: Harness, bolt_poll: _BoltPollWatch
) -> None:
    helped = harness.send_command("U1", "help")
    assert helped.status == 200
    assert "SkillSwap" in shown_text(helped.ack)
    taught = harness.send_command("U1", "teach Python")
    assert "Python" in shown_text(taught.ack)
    kept = harness.click("U1", MemberAction.LEAVE_CANCEL.value)
    assert kept.reply()
    harness.drain()
    assert bolt_poll.ticks == 0


def test_the_ack_does_not_wait_for_a_rate_limited_slack_call_after_it(
    harness: Harness, bolt_poll: _BoltPollWatch
) -> None:
    harness.command("U1", "teach Python")
    harness.drain()
    harness.sim.rate_limit_next("views.publish", retry_after=2)
    left = harness.click(
        "U1", MemberAction.LEAVE_CONFIRM.value, value=LeaveValue(u="U1").model_dump_json()
    )
    # The click is acknowledged while the Home tab update still waits out Slack's Retry-After.
    published = [c for c in harness.sim.calls_to("views.publish") if c.status == 200]
    assert published == []
    assert bolt_poll.ticks == 0
    assert "deleted" in shown_text(left.reply())
    harness.sim.wait_for("views.publish", predicate=lambda c: c.status == 200)
    harness.drain()
    assert len(left.replies()) == 1
    assert len([c for c in harness.sim.calls_to("views.publish") if c.status == 200]) == 1


def test_a_command_that_fails_before_acking_is_answered_once_with_an_error_id(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, bolt_poll: _BoltPollWatch
) -> None:
    def broken(registry: CommandRegistry, ctx: CommandContext) -> Reply:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(commands, "dispatch", broken)  # the listener looks it up at call time
    sent = harness.send_command("U1", "me")
    assert sent.status == 200
    assert "error id" in shown_text(sent.reply())
    harness.drain()
    assert len(sent.replies()) == 1
    assert bolt_poll.ticks == 0


def test_a_failure_after_the_ack_still_reaches_the_member(harness: Harness) -> None:
    sent = harness.click("U1", MemberAction.SWITCH_SKILL.value, value="not a switch")
    assert sent.http.body.strip() == ""
    assert "out of date" in shown_text(sent.reply())
    harness.drain()
    assert len(sent.replies()) == 1
