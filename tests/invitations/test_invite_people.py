"""*Invite people* end to end: signed requests in, the simulator's Slack out, both databases."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.store import invitations as invitation_store
from bot.store.workspaces import get_or_create_workspace
from tests.invitations.invitations_kit import (
    ADMIN,
    ANA,
    BEN,
    CAL,
    EVERYONE,
    INVITE_CALLBACK,
    LAUNCH,
    deliver,
    directory,
    dm_recipients,
    eventually,
    invitations,
    invite_state,
    outbox_kinds,
    session_of,
)
from tests.support import Harness

INVITED_TEXT = "the only invitation you'll get"


@pytest.fixture
def launch(harness: Harness) -> Harness:
    directory(harness.sim, harness.team_id)
    harness.sim.add_channel(harness.team_id, LAUNCH, name="launch", members=EVERYONE)
    return harness


def _command(h: Harness, user: str, text: str) -> dict[str, Any]:
    before = len(h.sim.responses())
    assert h.slack.slash_command(team_id=h.team_id, user_id=user, text=text).status == 200
    return h.sim.wait_for_response(count=before + 1)[-1]


def _submit(h: Harness, channels: list[str], *, dm: bool, user: str = ADMIN) -> dict[str, Any]:
    reply = h.slack.view_submission(
        team_id=h.team_id,
        user_id=user,
        callback_id=INVITE_CALLBACK,
        values=invite_state(channels, dm),
    )
    assert reply.status == 200, reply.body
    return reply.json or {}


def _summaries(h: Harness, count: int) -> list[str]:
    def enough() -> list[str] | None:
        rows = outbox_kinds(h.deps, "invite_summary")
        return [json.dumps(r.payload) for r in rows] if len(rows) >= count else None

    found: list[str] = eventually(enough)
    return found


def test_an_admin_invites_a_channel_and_each_person_gets_one_dm(launch: Harness) -> None:
    h = launch
    _command(h, BEN, "teach SQL")  # Ben is a member already
    with session_of(h.deps) as s:  # Cal was a member and left
        ws = get_or_create_workspace(session=s, team_id=h.team_id)
        invitation_store.mark_left(session=s, workspace_id=ws.id, user_id=CAL)

    h.slack.slash_command(team_id=h.team_id, user_id=ADMIN, text="invite")
    opened = h.sim.wait_for("views.open")[-1]
    assert opened.response["view"]["callback_id"] == INVITE_CALLBACK

    answer = _submit(h, [LAUNCH], dm=True)
    assert answer["response_action"] == "update"
    assert "On it" in json.dumps(answer["view"])
    summary = _summaries(h, 1)[0]
    deliver(h.deps)

    # The card: what it is, and a Join button that knows its channel.
    [card] = h.sim.messages(LAUNCH)
    [button] = [e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == "invite_join"
    assert json.loads(button["value"]) == {"channel": LAUNCH}
    # DMs: the admin and Ana only — not Ben (member), Cal (left), a bot, guests, a deactivated
    # account or Slackbot.
    assert dm_recipients(h.sim, h.team_id, INVITED_TEXT) == sorted([ADMIN, ANA])
    assert "*Invited:* 2 people" in summary
    assert "*Already members:* 1" in summary
    for skipped in (
        "1 people who left SkillSwap",
        "2 guests",
        "1 bots and apps",
        "1 Slackbot",
        "1 deactivated accounts",
    ):
        assert skipped in summary
    assert invitations(h.deps)[ANA] == (LAUNCH, True, False)
    # The summary reached the admin as a DM.
    assert dm_recipients(h.sim, h.team_id, "SkillSwap invitations") == [ADMIN]

    # Again (another admin, a double click, a retry): nobody is invited twice.
    _submit(h, [LAUNCH], dm=True)
    second = _summaries(h, 2)[1]
    deliver(h.deps)
    assert "*Invited:* 0 people" in second and "2 invited before" in second
    assert dm_recipients(h.sim, h.team_id, INVITED_TEXT) == sorted([ADMIN, ANA])


def test_a_non_admin_never_reaches_invite_people(launch: Harness) -> None:
    h = launch
    reply = _command(h, ANA, "invite")
    assert "admin" in reply["text"].lower()
    assert h.sim.calls_to("views.open") == []

    # A forged submission is refused on the server; nothing is queued.
    answer = _submit(h, [LAUNCH], dm=True, user=ANA)
    assert answer["response_action"] == "errors"
    assert "admin" in answer["errors"]["invite_channels"].lower()
    # A forged click on the settings modal's button opens nothing either.
    h.slack.block_action(
        team_id=h.team_id,
        user_id=ANA,
        action_id="invite_open",
        value="open",
        view={"id": "V1", "callback_id": "admin_settings", "type": "modal"},
    )
    assert outbox_kinds(h.deps, "invite") == [] and outbox_kinds(h.deps, "invite_card") == []
    assert h.sim.calls_to("views.push") == []


def test_the_settings_modal_offers_invite_people_to_admins(launch: Harness) -> None:
    h = launch
    h.slack.slash_command(team_id=h.team_id, user_id=ADMIN, text="admin")
    view = h.sim.wait_for("views.open")[-1].params["view"]
    assert "invite_open" in json.dumps(view)
    h.slack.block_action(
        team_id=h.team_id,
        user_id=ADMIN,
        action_id="invite_open",
        value="open",
        view={"id": "V1", "callback_id": "admin_settings", "type": "modal"},
    )
    pushed = h.sim.wait_for("views.push")[-1]
    assert pushed.response["ok"] and pushed.params["view"]["callback_id"] == INVITE_CALLBACK


def test_the_modal_needs_a_channel(launch: Harness) -> None:
    answer = _submit(launch, [], dm=True)
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {"invite_channels": "Pick at least one channel."}


def test_channels_that_cannot_be_used_are_refused_with_the_fix(launch: Harness) -> None:
    h = launch
    sim = h.sim
    sim.add_channel(h.team_id, "C0NOTIN01", name="n", members=[ANA], app_is_member=False)
    sim.add_channel(
        h.team_id, "C0PRIV001", name="p", members=[ANA], is_private=True, app_is_member=False
    )
    sim.add_channel(h.team_id, "C0OLD0001", name="o", members=[ANA], is_archived=True)
    bad = ["C0NOTIN01", "C0PRIV001", "C0OLD0001", "C0NOPE001", "D0DM00001"]

    _submit(h, bad, dm=True)
    summary = _summaries(h, 1)[0]

    assert "SkillSwap isn't in <#C0NOTIN01> yet" in summary
    assert "I can't find <#C0PRIV001>" in summary and "I can't find <#C0NOPE001>" in summary
    assert summary.count("/invite @SkillSwap") == 3  # the fix, wherever adding the app helps
    assert "<#C0OLD0001> is archived" in summary
    assert "direct message or a person, not a channel" in summary
    assert "Invitation card posted" not in summary
    assert outbox_kinds(h.deps, "invite") == [] and outbox_kinds(h.deps, "invite_card") == []
    assert invitations(h.deps) == {}


def test_slack_failing_to_list_people_is_reported_not_a_crash(launch: Harness) -> None:
    h = launch
    h.sim.fail_next("users.list", "team_access_not_granted")
    _submit(h, [LAUNCH], dm=True)
    summary = _summaries(h, 1)[0]
    assert "*Failed:* 1 `users.list: team_access_not_granted`" in summary
    assert "Invitation card posted in <#C0LAUNCH1>" in summary
    assert outbox_kinds(h.deps, "invite") == []
