"""The App Home tab: what a member sees, and the buttons on it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from slack_sdk.models.blocks import Block, SectionBlock
from slack_sdk.models.views import View

from bot.handlers import insights as insights_handlers
from bot.store.models import GroupState, MemberStatus
from tests.members.members_kit import ANA, BEN, CAL, make_round, member_row
from tests.support import Harness, buttons, payload_json


def open_home(driver: Harness, user: str, tab: str = "home") -> dict[str, Any]:
    before = len(driver.sim.calls_to("views.publish"))
    driver.event({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": tab})
    call = driver.sim.wait_for("views.publish", count=before + 1)[-1]
    assert call.response["ok"], call.response
    assert call.params["user_id"] == user
    view: dict[str, Any] = call.params["view"]
    View(**view).to_dict()  # passes slack_sdk's validators
    return view


def test_home_for_a_newcomer_invites_without_enrolling(driver: Harness) -> None:
    view = open_home(driver, ANA)
    body = payload_json(view)
    assert "Join SkillSwap" in body
    assert "profile_open" in buttons(view)
    assert member_row(driver, ANA) is None


def test_home_shows_profile_partner_prompt_and_history(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish (expert)")
    driver.command(ANA, "learn SQL, drawing")
    driver.command(BEN, "teach SQL")
    driver.command(CAL, "teach drawing")
    make_round(
        driver,
        [([ANA, CAL], [(CAL, ANA, "drawing")])],
        round_date=date(2026, 11, 23),
        period="2026-W48",
        state=GroupState.MET,
    )
    make_round(
        driver,
        [([ANA, BEN], [(ANA, BEN, "Spanish"), (BEN, ANA, "SQL")])],
        round_date=date(2026, 11, 30),
        period="2026-W49",
    )

    body = payload_json(open_home(driver, ANA))

    assert "Spanish (expert)" in body and "SQL, drawing" in body
    assert f"your swap with <@{BEN}>" in body and "book 30 minutes" in body
    # Ana is in Madrid, Ben in London: both local times.
    assert f"When it's 10:00 for you, it's 09:00 for <@{BEN}>" in body
    assert f"Mon 23 Nov 2026, with <@{CAL}>: <@{CAL}> teaches you *drawing* (met" in body
    assert "Your swaps" in body


def test_pause_and_resume_from_home(driver: Harness) -> None:
    driver.command(ANA, "teach Spanish")
    view = open_home(driver, ANA)
    menu = buttons(view)["home_pause"]
    two_weeks = next(o for o in menu["options"] if o["value"] == "2 weeks")

    driver.click(ANA, menu, view=view, action_type="static_select", selected_option=two_weeks)
    after = driver.sim.wait_for("views.publish", count=2)[-1].params["view"]
    member = member_row(driver, ANA)
    assert member is not None
    assert (member.status, member.paused_until) == (MemberStatus.PAUSED, date(2026, 12, 21))
    assert "home_resume" in buttons(after)

    driver.click(ANA, "home_resume", view=after)
    driver.sim.wait_for("views.publish", count=3)
    member = member_row(driver, ANA)
    assert member is not None and member.status == MemberStatus.ACTIVE


def test_other_features_sections_follow_ours_and_a_broken_one_is_skipped(
    driver: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def admins(**_: Any) -> list[Block]:
        return [SectionBlock(text="*Admins:* 3 swaps this week", block_id="admin_headline")]

    def broken(**_: Any) -> list[Block]:
        raise RuntimeError("boom")

    sections = (*insights_handlers.HOME_SECTIONS, broken, admins)
    monkeypatch.setattr(insights_handlers, "HOME_SECTIONS", sections)
    driver.command(ANA, "teach Spanish")

    view = open_home(driver, ANA)

    ids = [b.get("block_id") for b in view["blocks"]]
    profile = next(i for i, b in enumerate(view["blocks"]) if "Your profile" in payload_json(b))
    assert ids.index("admin_headline") > profile  # after the member's own blocks
    assert "explore_search" in ids  # the explorer (another feature's section) still shows


def test_messages_tab_publishes_nothing(driver: Harness) -> None:
    driver.event({"type": "app_home_opened", "user": ANA, "channel": "D0HOME", "tab": "messages"})
    driver.drain()
    open_home(driver, BEN)
    assert [c.params["user_id"] for c in driver.sim.calls_to("views.publish")] == [BEN]


def test_home_refuses_nothing_when_slack_fails(driver: Harness) -> None:
    driver.sim.fail_next("views.publish", error="internal_error")
    driver.event({"type": "app_home_opened", "user": ANA, "channel": "D0HOME", "tab": "home"})
    driver.sim.wait_for("views.publish")
    driver.drain()
    assert member_row(driver, ANA) is None
    assert open_home(driver, ANA)["type"] == "home"  # the next opening works
