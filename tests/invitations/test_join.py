"""One click to join: *Join SkillSwap* on a card, the SkillSwap channel's newcomers, the
profile shortcut, a prefilled form, and the welcome."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.store.models import Member
from bot.store.workspaces import get_or_create_workspace
from tests.invitations.invitations_kit import (
    ADMIN,
    ANA,
    BEN,
    BOT,
    CAL,
    EVERYONE,
    GUEST,
    LAUNCH,
    deliver,
    directory,
    dm_recipients,
    eventually,
    invitations,
    outbox_kinds,
    session_of,
)
from tests.support import Harness

PROFILE = "profile_modal"


@pytest.fixture
def launch(harness: Harness) -> Harness:
    directory(harness.sim, harness.team_id)
    harness.sim.add_channel(harness.team_id, LAUNCH, name="skillswap", members=EVERYONE)
    return harness


def _texts(view: dict[str, Any]) -> str:
    return json.dumps(view)


def _team_input(view: dict[str, Any]) -> str | None:
    [team] = [b for b in view["blocks"] if b.get("block_id") == "team"]
    value: str | None = team["element"].get("initial_value")
    return value


def _click_join(h: Harness, user: str, channel: str | None) -> dict[str, Any]:
    before = len(h.sim.calls_to("views.open"))
    value = json.dumps({"channel": channel} if channel else {})
    h.slack.block_action(
        team_id=h.team_id, user_id=user, action_id="invite_join", value=value, channel_id=channel
    )
    call = h.sim.wait_for("views.open", count=before + 1)[-1]
    assert call.response["ok"], call.response
    view: dict[str, Any] = call.params["view"]
    return view


def _save(h: Harness, user: str, view: dict[str, Any], *, teach: str, team: str | None) -> Any:
    values = {
        "teach_new": {"value": {"type": "plain_text_input", "value": teach}},
        "team": {"value": {"type": "plain_text_input", "value": team}},
        "cadence": {
            "value": {
                "type": "static_select",
                "selected_option": {
                    "value": "every_round",
                    "text": {"type": "plain_text", "text": "x"},
                },
            }
        },
    }
    return h.slack.view_submission(
        team_id=h.team_id,
        user_id=user,
        callback_id=PROFILE,
        values=values,
        private_metadata=view.get("private_metadata", ""),
    )


def test_join_from_a_card_opens_the_form_prefilled_and_saving_makes_a_member(
    launch: Harness,
) -> None:
    h = launch
    view = _click_join(h, ANA, LAUNCH)

    assert view["callback_id"] == PROFILE
    assert _team_input(view) == "Design"  # her Slack title
    assert "join as *ana*, time zone Europe/Madrid" in _texts(view)  # her Slack name and zone

    reply = _save(h, ANA, view, teach="Spanish", team="Design")
    assert reply.status == 200 and not (reply.json or {}).get("errors")
    # The same welcome as after `teach`, where she clicked (an ephemeral reply in the channel).
    eventually(lambda: any("Welcome to SkillSwap" in json.dumps(r) for r in h.sim.responses()))
    with session_of(h.deps) as s:
        ana = s.scalars(select(Member).where(Member.slack_user_id == ANA)).one()
        assert (ana.team_label, ana.tz) == ("Design", "Europe/Madrid")
    # Joined from that channel's card: it counts for the channel, though no DM was sent.
    assert invitations(h.deps)[ANA] == (LAUNCH, False, True)


def test_saving_without_a_skill_makes_nobody_a_member(launch: Harness) -> None:
    h = launch
    view = _click_join(h, ANA, LAUNCH)
    reply = _save(h, ANA, view, teach="", team=None)
    assert reply.json["response_action"] == "errors"
    assert "at least one skill" in json.dumps(reply.json["errors"])
    with session_of(h.deps) as s:
        assert s.scalars(select(Member)).all() == []
    assert invitations(h.deps) == {}


def test_the_team_comes_from_the_custom_field_an_admin_picked(launch: Harness) -> None:
    h = launch
    h.sim.set_profile_fields(h.team_id, {"Xf01TEAM": "Department"})
    h.sim.set_user_field(h.team_id, BEN, "Xf01TEAM", "Platform")

    # The admin picks the field in the settings modal.
    h.slack.slash_command(team_id=h.team_id, user_id=ADMIN, text="admin")
    settings = h.sim.wait_for("views.open")[-1].params["view"]
    assert "Department" in _texts(settings)
    with session_of(h.deps) as s:
        ws = get_or_create_workspace(session=s, team_id=h.team_id)
        ws.team_field = "Xf01TEAM"

    view = _click_join(h, BEN, None)
    assert _team_input(view) == "Platform"  # the field, not his title ("Data")

    # Someone who joins by /skillswap teach gets the same team without opening the form.
    before = len(h.sim.responses())
    h.slack.slash_command(team_id=h.team_id, user_id=CAL, text="teach Chess")
    h.sim.wait_for_response(count=before + 1)
    with session_of(h.deps) as s:
        cal = s.scalars(select(Member).where(Member.slack_user_id == CAL)).one()
        assert cal.team_label is None  # Cal has neither a title nor the field
    h.sim.set_user_field(h.team_id, ADMIN, "Xf01TEAM", "People Ops")
    before = len(h.sim.responses())
    h.slack.slash_command(team_id=h.team_id, user_id=ADMIN, text="teach Hiring")
    h.sim.wait_for_response(count=before + 1)
    with session_of(h.deps) as s:
        ada = s.scalars(select(Member).where(Member.slack_user_id == ADMIN)).one()
        assert ada.team_label == "People Ops"


def test_the_profile_shortcut_opens_the_form_from_anywhere(launch: Harness) -> None:
    h = launch
    h.slack.shortcut(team_id=h.team_id, user_id=ANA, callback_id="skillswap_profile")
    call = h.sim.wait_for("views.open")[-1]
    assert call.response["ok"] and call.params["view"]["callback_id"] == PROFILE
    assert _team_input(call.params["view"]) == "Design"


def test_people_joining_the_skillswap_channel_get_the_invitation_once(launch: Harness) -> None:
    h = launch
    with session_of(h.deps) as s:
        get_or_create_workspace(session=s, team_id=h.team_id).home_channel = LAUNCH

    def joined(user: str, channel: str = LAUNCH) -> None:
        event = {
            "type": "member_joined_channel",
            "user": user,
            "channel": channel,
            "channel_type": "C",
            "team": h.team_id,
        }
        assert h.slack.event(team_id=h.team_id, event=event).status == 200

    joined(ANA)
    joined(ANA)  # Slack sends it again (leave and rejoin, or a duplicate with a new id)
    joined(GUEST)
    joined(BOT)
    joined(BEN, channel="C0RANDOM1")  # not the SkillSwap channel
    eventually(lambda: len(h.sim.calls_to("users.info")) >= 4)
    eventually(lambda: outbox_kinds(h.deps, "invite"))
    deliver(h.deps)
    assert [r.target_users for r in outbox_kinds(h.deps, "invite")] == [ANA]
    assert dm_recipients(h.sim, h.team_id, "the only invitation") == [ANA]


def test_the_welcome_dm_and_home_ask_for_a_click(launch: Harness) -> None:
    h = launch
    event = {"type": "team_join", "user": h.sim.user(h.team_id, CAL)}
    h.slack.event(team_id=h.team_id, event=event)
    welcome = h.sim.wait_for("chat.postMessage")[-1]
    text = json.dumps(welcome.params)
    assert "Join SkillSwap" in text and "tell me" not in text
    h.slack.event(team_id=h.team_id, event={"type": "app_home_opened", "user": CAL, "tab": "home"})
    home = h.sim.wait_for("views.publish")[-1].params["view"]
    assert "Join SkillSwap" in _texts(home)
