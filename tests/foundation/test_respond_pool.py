"""Replies on ``response_url``s go through one pool of kept-alive connections.

Each is posted exactly once, whatever happens to the connection, and callers get back what
Bolt's own ``respond()`` gives them (status code and body, also for 404 and 500).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Respond
from slack_sdk.models.blocks import SectionBlock
from urllib3.exceptions import ProtocolError

from bot.blocks.members import MemberAction, leave_cancelled_text
from bot.sim import SlackSimulator
from bot.sim.records import RESPONSE_URL_METHOD
from bot.slack.respond import PooledRespond, ResponsePoster
from tests.support import Harness


@pytest.fixture
def simulator() -> Iterator[SlackSimulator]:
    with SlackSimulator(tokens={}) as sim:
        yield sim


@pytest.fixture
def poster() -> Iterator[ResponsePoster]:
    pool = ResponsePoster()
    yield pool
    pool.close()


def posts(sim: SlackSimulator) -> list[dict[str, Any]]:
    """Every post that reached a response URL (accepted or not)."""
    return [c.params for c in sim.calls_to(RESPONSE_URL_METHOD)]


def test_clicks_are_answered_once_each_over_one_kept_alive_connection(harness: Harness) -> None:
    first = harness.click("U1", MemberAction.LEAVE_CANCEL.value)
    assert first.reply()["text"] == leave_cancelled_text()
    harness.drain()
    before = harness.sim.connections_accepted

    clicks = []
    for _ in range(5):  # one after the other (together, they would need a connection each)
        clicks.append(harness.click("U1", MemberAction.LEAVE_CANCEL.value))
        harness.drain()

    for sent in [first, *clicks]:
        (reply,) = sent.replies()
        assert reply["text"] == leave_cancelled_text()
        assert reply["replace_original"] is True
    # Five replies, no new connection: the one opened for the first reply served them all.
    assert harness.sim.connections_accepted == before


def test_consecutive_replies_reuse_one_connection(
    simulator: SlackSimulator, poster: ResponsePoster
) -> None:
    for n in range(4):
        respond = PooledRespond(response_url=simulator.new_response_url(), poster=poster)
        assert respond(text=f"reply {n}").status_code == 200
    assert [p["text"] for p in posts(simulator)] == [f"reply {n}" for n in range(4)]
    assert simulator.connections_accepted == 1


def test_a_connection_the_server_closed_between_posts_still_carries_the_next_reply_once(
    simulator: SlackSimulator, poster: ResponsePoster
) -> None:
    respond = PooledRespond(response_url=simulator.new_response_url(), poster=poster)
    respond(text="before")
    assert simulator.close_idle_connections() == 1

    answer = respond(text="after")

    assert (answer.status_code, answer.body) == (200, "ok")
    assert [p["text"] for p in posts(simulator)] == ["before", "after"]
    assert simulator.connections_accepted == 2  # the closed one was replaced


def test_a_reply_whose_answer_was_lost_is_not_posted_again(
    simulator: SlackSimulator, poster: ResponsePoster
) -> None:
    """Slack took the post but the connection broke before its answer: the app cannot know
    the member saw it, so it reports the failure rather than risk showing it twice."""
    respond = PooledRespond(response_url=simulator.new_response_url(), poster=poster)
    simulator.hang_up_next_response()

    with pytest.raises(ProtocolError):
        respond(text="only once")

    assert [p["text"] for p in posts(simulator)] == ["only once"]
    assert respond(text="next").status_code == 200  # the pool recovers on a new connection


@pytest.mark.parametrize("status", [404, 500])
def test_an_error_status_comes_back_as_bolts_respond_gives_it(
    simulator: SlackSimulator, poster: ResponsePoster, status: int
) -> None:
    url = simulator.new_response_url()
    simulator.server_error_next(RESPONSE_URL_METHOD, status=status, times=2)

    pooled = PooledRespond(response_url=url, poster=poster)(text="pooled")
    bolts = Respond(response_url=url)(text="bolt's")

    assert (pooled.status_code, pooled.body) == (bolts.status_code, bolts.body)
    assert pooled.status_code == status
    assert [p["text"] for p in posts(simulator)] == ["pooled", "bolt's"]  # no retry


def test_the_message_is_the_one_bolts_respond_sends(
    simulator: SlackSimulator, poster: ResponsePoster
) -> None:
    url = simulator.new_response_url()
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        (("Saved.",), {}),
        (
            (),
            {
                "text": "Pick one",
                "blocks": [SectionBlock(text="*bold*")],
                "response_type": "ephemeral",
                "replace_original": False,
                "unfurl_links": False,
                "thread_ts": "1700000000.000100",
                "metadata": {"event_type": "x", "event_payload": {"a": 1}},
            },
        ),
        (({"text": "whole message", "delete_original": True, "unfurl_media": True},), {}),
    ]
    for args, kwargs in calls:
        PooledRespond(response_url=url, poster=poster)(*args, **kwargs)
        Respond(response_url=url)(*args, **kwargs)

    sent = posts(simulator)
    assert len(sent) == 2 * len(calls)
    assert sent[0::2] == sent[1::2]


def test_without_a_response_url_respond_refuses_as_bolts_does(poster: ResponsePoster) -> None:
    with pytest.raises(ValueError, match="no response_url"):
        PooledRespond(response_url=None, poster=poster)(text="hello")
