"""Fault injection and Slack's rate limits, as seen by slack_sdk's WebClient."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.sim import RateLimiter, SlackSimulator
from tests.sim.sim_kit import TEAM, TOKEN, DrivenClock


def _error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value


def test_fail_next(simulator: SlackSimulator, web: WebClient) -> None:
    simulator.fail_next("chat.postMessage", error="channel_not_found", times=2)
    for _ in range(2):
        err = _error(lambda: web.chat_postMessage(channel="C1", text="x"))
        assert err.response["error"] == "channel_not_found"
    assert web.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.ok for c in simulator.calls_to("chat.postMessage")] == [False, False, True]
    assert web.auth_test()["ok"]  # other methods unaffected


def test_rate_limit_without_retry_handler_raises_429(
    simulator: SlackSimulator, web: WebClient
) -> None:
    simulator.rate_limit_next("chat.postMessage", retry_after=7)
    err = _error(lambda: web.chat_postMessage(channel="C1", text="x"))
    assert err.response.status_code == 429
    assert err.response["error"] == "ratelimited"
    assert err.response.headers["retry-after"] in ("7", ["7"])


def test_rate_limit_with_retry_handler_succeeds(simulator: SlackSimulator) -> None:
    web = WebClient(
        token=TOKEN,
        base_url=simulator.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    # Retry-After: 0 keeps the SDK's sleep under a second
    simulator.rate_limit_next("chat.postMessage", retry_after=0)
    assert web.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in simulator.calls_to("chat.postMessage")] == [429, 200]
    assert len(simulator.messages("C1")) == 1


def test_server_error_with_and_without_retry(simulator: SlackSimulator, web: WebClient) -> None:
    simulator.server_error_next("users.info", status=503)
    err = _error(lambda: web.users_info(user="U1"))
    assert err.response.status_code == 503
    retrying = WebClient(
        token=TOKEN,
        base_url=simulator.api_url,
        retry_handlers=[ServerErrorRetryHandler(max_retry_count=1)],
    )
    simulator.server_error_next("users.info")
    assert retrying.users_info(user="U1")["ok"]


def test_slow_next_makes_the_client_time_out(simulator: SlackSimulator) -> None:
    impatient = WebClient(token=TOKEN, base_url=simulator.api_url, timeout=1, retry_handlers=[])
    simulator.slow_next("auth.test", seconds=3)
    with pytest.raises((TimeoutError, socket.timeout)):
        impatient.auth_test()
    assert impatient.auth_test()["ok"]


def test_fault_times_must_be_positive(simulator: SlackSimulator) -> None:
    with pytest.raises(ValueError):
        simulator.fail_next("auth.test", times=0)


def test_enforced_tier_2_limit_with_a_driven_clock(driven_clock: DrivenClock) -> None:
    with SlackSimulator(
        tokens={TOKEN: TEAM, "xoxb-b": "T2"}, enforce_rate_limits=True, clock=driven_clock
    ) as sim:
        web = WebClient(token=TOKEN, base_url=sim.api_url)
        for _ in range(20):  # users.list is Tier 2: 20 per minute
            web.users_list()
        err = _error(web.users_list)
        assert err.response.status_code == 429
        assert int(err.response.headers["retry-after"][0]) == 3  # one token per 3 s
        # per workspace: another team is not limited
        assert WebClient(token="xoxb-b", base_url=sim.api_url).users_list()["ok"]
        # per method: users.info is another bucket
        sim.add_user(TEAM, "U1", name="ada")
        assert web.users_info(user="U1")["ok"]
        driven_clock.advance(3)
        assert web.users_list()["ok"]
        assert _error(web.users_list).response.status_code == 429


def test_enforced_post_message_per_channel(driven_clock: DrivenClock) -> None:
    with SlackSimulator(tokens={TOKEN: TEAM}, enforce_rate_limits=True, clock=driven_clock) as sim:
        web = WebClient(token=TOKEN, base_url=sim.api_url)
        for _ in range(3):  # the burst allowance
            web.chat_postMessage(channel="C1", text="x")
        assert (
            _error(lambda: web.chat_postMessage(channel="C1", text="x")).response["error"]
            == "ratelimited"
        )
        assert web.chat_postMessage(channel="C2", text="other channel")["ok"]
        driven_clock.advance(1)
        assert web.chat_postMessage(channel="C1", text="x")["ok"]


def test_rate_limits_are_off_by_default(simulator: SlackSimulator, web: WebClient) -> None:
    for _ in range(25):
        web.users_list()
    assert all(c.ok for c in simulator.calls_to("users.list"))


def test_rate_limiter_unknown_methods_are_unlimited() -> None:
    limiter = RateLimiter(lambda: 0.0)
    assert all(limiter.take("apps.uninstall", "T1") is None for _ in range(1000))
