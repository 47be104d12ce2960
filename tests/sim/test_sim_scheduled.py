"""chat.scheduleMessage, chat.deleteScheduledMessage and chat.scheduledMessages.list answer like
Slack: real errors, recorded calls, and the message posted when the clock passes its time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sim import SlackSimulator
from tests.sim.sim_kit import TEAM, TOKEN, DrivenClock

DAY = 24 * 3600


@pytest.fixture
def clocked(driven_clock: DrivenClock) -> Iterator[tuple[SlackSimulator, WebClient]]:
    with SlackSimulator(tokens={TOKEN: TEAM}, clock=driven_clock) as sim:
        sim.add_user(TEAM, "U1", name="ada")
        sim.add_user(TEAM, "U2", name="grace")
        yield sim, WebClient(token=TOKEN, base_url=sim.api_url)


def _error(call: Any) -> str:
    with pytest.raises(SlackApiError) as info:
        call()
    return str(info.value.response["error"])


def test_a_scheduled_message_waits_then_posts_when_its_time_comes(
    clocked: tuple[SlackSimulator, WebClient], driven_clock: DrivenClock
) -> None:
    sim, web = clocked
    at = int(driven_clock.value) + 600
    answer = web.chat_scheduleMessage(channel="C1", post_at=at, text="Starting in 10 minutes")
    scheduled_id = answer["scheduled_message_id"]
    assert scheduled_id.startswith("Q") and answer["channel"] == "C1"
    assert int(answer["post_at"]) == at
    assert sim.messages("C1") == []
    [held] = sim.scheduled_messages("C1")
    assert (held["scheduled_message_id"], held["post_at"], held["text"]) == (
        scheduled_id,
        at,
        "Starting in 10 minutes",
    )
    listed = web.chat_scheduledMessages_list(channel="C1")["scheduled_messages"]
    assert [(m["id"], m["post_at"], m["text"]) for m in listed] == [
        (scheduled_id, at, "Starting in 10 minutes")
    ]

    driven_clock.advance(599)
    assert sim.messages("C1") == []
    driven_clock.advance(1)
    [posted] = sim.messages("C1")
    assert posted["text"] == "Starting in 10 minutes"
    assert float(posted["ts"]) >= at
    assert sim.scheduled_messages() == []
    assert web.chat_scheduledMessages_list(channel="C1")["scheduled_messages"] == []
    history = web.conversations_history(channel="C1")["messages"]
    assert [m["text"] for m in history] == ["Starting in 10 minutes"]
    # once posted it can no longer be deleted
    assert (
        _error(
            lambda: web.chat_deleteScheduledMessage(channel="C1", scheduled_message_id=scheduled_id)
        )
        == "invalid_scheduled_message_id"
    )


def test_schedule_errors_are_slacks(
    clocked: tuple[SlackSimulator, WebClient], driven_clock: DrivenClock
) -> None:
    sim, web = clocked
    now = int(driven_clock.value)
    assert _error(lambda: web.chat_scheduleMessage(channel="C1", post_at=now, text="x")) == (
        "time_in_past"
    )
    assert _error(lambda: web.chat_scheduleMessage(channel="C1", post_at=now - 60, text="x")) == (
        "time_in_past"
    )
    assert (
        _error(
            lambda: web.chat_scheduleMessage(channel="C1", post_at=now + 120 * DAY + 1, text="x")
        )
        == "time_too_far"
    )
    assert _error(lambda: web.chat_scheduleMessage(channel="C1", post_at="soon", text="x")) == (
        "invalid_time"
    )
    with pytest.warns(UserWarning, match="text"):
        no_text = _error(lambda: web.chat_scheduleMessage(channel="C1", post_at=now + 60, text=""))
    assert no_text == "no_text"
    # exactly 120 days ahead is allowed
    web.chat_scheduleMessage(channel="C1", post_at=now + 120 * DAY, text="far but fine")
    [failed_call] = [c for c in sim.calls_to("chat.scheduleMessage") if not c.ok][:1]
    assert failed_call.response["error"] == "time_in_past"
    assert len(sim.calls_to("chat.scheduleMessage")) == 6
    assert [m["text"] for m in sim.scheduled_messages()] == ["far but fine"]


def test_thirty_per_channel_in_five_minutes(
    clocked: tuple[SlackSimulator, WebClient], driven_clock: DrivenClock
) -> None:
    _sim, web = clocked
    at = int(driven_clock.value) + 3600
    for i in range(30):
        web.chat_scheduleMessage(channel="C1", post_at=at + i, text=f"m{i}")
    assert _error(lambda: web.chat_scheduleMessage(channel="C1", post_at=at, text="x")) == (
        "restricted_too_many"
    )
    web.chat_scheduleMessage(channel="C2", post_at=at, text="another channel is fine")
    web.chat_scheduleMessage(channel="C1", post_at=at + 600, text="later is fine")


def test_delete_scheduled_message(
    clocked: tuple[SlackSimulator, WebClient], driven_clock: DrivenClock
) -> None:
    sim, web = clocked
    at = int(driven_clock.value) + 600
    first = web.chat_scheduleMessage(channel="C1", post_at=at, text="first")
    second = web.chat_scheduleMessage(channel="C1", post_at=at + 60, text="second")
    assert (
        _error(
            lambda: web.chat_deleteScheduledMessage(
                channel="C2", scheduled_message_id=first["scheduled_message_id"]
            )
        )
        == "invalid_scheduled_message_id"
    )
    assert (
        _error(lambda: web.chat_deleteScheduledMessage(channel="C1", scheduled_message_id="Q404"))
        == "invalid_scheduled_message_id"
    )
    web.chat_deleteScheduledMessage(
        channel="C1", scheduled_message_id=first["scheduled_message_id"]
    )
    assert (
        _error(
            lambda: web.chat_deleteScheduledMessage(
                channel="C1", scheduled_message_id=first["scheduled_message_id"]
            )
        )
        == "invalid_scheduled_message_id"
    )
    assert [m["text"] for m in sim.scheduled_messages()] == ["second"]
    driven_clock.advance(3600)
    assert [m["text"] for m in sim.messages("C1")] == ["second"]
    assert len(sim.calls_to("chat.deleteScheduledMessage")) == 4
    assert second["scheduled_message_id"] != first["scheduled_message_id"]


def test_scheduling_to_a_dm_and_listing_by_range(
    clocked: tuple[SlackSimulator, WebClient], driven_clock: DrivenClock
) -> None:
    sim, web = clocked
    dm = web.conversations_open(users="U1,U2")["channel"]["id"]
    now = int(driven_clock.value)
    web.chat_scheduleMessage(channel=dm, post_at=now + 100, text="soon")
    web.chat_scheduleMessage(channel=dm, post_at=now + 5000, text="later")
    web.chat_scheduleMessage(channel="C9", post_at=now + 200, text="elsewhere")
    everything = web.chat_scheduledMessages_list()["scheduled_messages"]
    assert [m["text"] for m in everything] == ["soon", "elsewhere", "later"]
    ranged = web.chat_scheduledMessages_list(channel=dm, oldest=str(now + 1000))
    assert [m["text"] for m in ranged["scheduled_messages"]] == ["later"]
    paged = web.chat_scheduledMessages_list(limit=2)
    assert len(paged["scheduled_messages"]) == 2
    cursor = paged["response_metadata"]["next_cursor"]
    rest = web.chat_scheduledMessages_list(limit=2, cursor=cursor)["scheduled_messages"]
    assert [m["text"] for m in rest] == ["later"]
    sim.reset()
    assert sim.scheduled_messages() == []
