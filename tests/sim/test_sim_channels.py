"""The simulator's channels answer like Slack when SkillSwap posts and lists: posting where the
app is not, archived and hidden channels, paging a big channel, custom profile fields, and
conversations.members' Tier 4 limit."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sim import SlackSimulator
from tests.sim.sim_kit import TEAM, TOKEN, DrivenClock


def _error(call: Any) -> str:
    with pytest.raises(SlackApiError) as info:
        call()
    return str(info.value.response["error"])


def test_channel_info_members_and_posting(simulator: SlackSimulator, web: WebClient) -> None:
    people = [f"U{i:03d}" for i in range(250)]
    simulator.add_channel(TEAM, "C1", name="general", members=people)
    simulator.add_channel(TEAM, "C2", name="c2", members=people, app_is_member=False)
    simulator.add_channel(
        TEAM, "C3", name="c3", members=people, is_private=True, app_is_member=False
    )
    simulator.add_channel(TEAM, "C4", name="c4", members=people, is_archived=True)

    info = web.conversations_info(channel="C1")["channel"]
    assert (info["name"], info["is_member"], info["num_members"]) == ("general", True, 250)
    assert web.conversations_info(channel="C2")["channel"]["is_member"] is False
    assert web.conversations_info(channel="C4")["channel"]["is_archived"] is True
    assert _error(lambda: web.conversations_info(channel="C3")) == "channel_not_found"
    assert _error(lambda: web.conversations_info(channel="C404")) == "channel_not_found"

    seen: list[str] = []
    cursor = None
    while True:
        page = web.conversations_members(channel="C1", limit=100, cursor=cursor)
        seen += page["members"]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert seen == people
    assert _error(lambda: web.conversations_members(channel="C3")) == "channel_not_found"

    assert web.chat_postMessage(channel="C1", text="hi")["ok"]
    assert _error(lambda: web.chat_postMessage(channel="C2", text="hi")) == "not_in_channel"
    assert _error(lambda: web.chat_postMessage(channel="C4", text="hi")) == "is_archived"
    assert _error(lambda: web.chat_postMessage(channel="C3", text="hi")) == "channel_not_found"


def test_custom_profile_fields(simulator: SlackSimulator, web: WebClient) -> None:
    simulator.set_profile_fields(TEAM, {"Xf1": "Department"})
    simulator.set_user_field(TEAM, "U1", "Xf1", "Research")
    [field] = web.team_profile_get()["profile"]["fields"]
    assert (field["id"], field["label"]) == ("Xf1", "Department")
    profile = web.users_profile_get(user="U1")["profile"]
    assert profile["fields"]["Xf1"]["value"] == "Research"
    assert web.users_info(user="U1")["user"]["profile"]["fields"] is None  # like Slack


def test_conversations_members_is_tier_4(driven_clock: DrivenClock) -> None:
    with SlackSimulator({TOKEN: TEAM}, enforce_rate_limits=True, clock=driven_clock) as sim:
        sim.add_channel(TEAM, "C1", name="c1", members=["U1"])
        web = WebClient(token=TOKEN, base_url=sim.api_url, retry_handlers=[])
        for _ in range(100):
            web.conversations_members(channel="C1")
        with pytest.raises(SlackApiError) as info:
            web.conversations_members(channel="C1")
        assert info.value.response.status_code == 429
        driven_clock.advance(1.0)
        assert web.conversations_members(channel="C1")["ok"]
