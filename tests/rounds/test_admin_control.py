"""Admins' control over who and when (issue 17, items 5 and 6), end to end: signed requests to
the real app, the simulator answering like Slack, the clock driving the rounds."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.blocks.admin import AdminAction, AdminField
from bot.rounds.preview import reroll_seed
from bot.scheduler import tick
from bot.store.models import Group, Round
from tests.rounds.rounds_kit import (
    ANA,
    BEN,
    BOSS,
    CAL,
    DEV,
    EVE,
    FAY,
    Team,
    submit_settings,
    workspace_row,
)
from tests.support import Harness, shown_text

MONDAY_0900_LONDON = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
NEXT_MONDAY_0900 = MONDAY_0900_LONDON + timedelta(days=7)
CHANNEL, PRIVATE, SALES = "C0DESIGN01", "C0SECRET01", "S0SALES001"
ZONE = AdminField.TIMEZONE.value


def six(team: Team, **settings: Any) -> None:
    """Six members who can all swap: Spanish teachers want SQL and the other way round."""
    team.workspace(**settings)
    for user, name in ((ANA, "Ana"), (CAL, "Cal"), (EVE, "Eve")):
        team.member(user, name, teach=[("Spanish", 2)], learn=["SQL"])
    for user, name in ((BEN, "Ben"), (DEV, "Dev"), (FAY, "Fay")):
        team.member(user, name, teach=[("SQL", 2)], learn=["Spanish"])
    team.sim.add_user(team.team_id, BOSS, name="boss", is_admin=True)


def groups_of_latest_round(team: Team) -> set[frozenset[str]]:
    with team.deps.unit_of_work() as session:
        latest = session.scalars(select(Round).order_by(Round.id.desc())).first()
        assert latest is not None
        groups = session.scalars(select(Group).where(Group.round_id == latest.id)).all()
        return {frozenset(gm.member.slack_user_id for gm in g.members) for g in groups}


def rounds(team: Team) -> list[str]:
    with team.deps.unit_of_work() as session:
        return list(session.scalars(select(Round.period).order_by(Round.id)))


# --------------------------------------------------------------------------- who takes part


def test_only_members_of_the_chosen_channels_minus_exclusions_and_guests_are_paired(
    harness: Harness, team: Team
) -> None:
    six(team)
    sim = team.sim
    sim.add_channel(team.team_id, CHANNEL, name="design", members=[ANA, BEN, CAL, DEV, EVE])
    sim.add_usergroup(team.team_id, SALES, handle="sales", users=[DEV])
    sim.add_user(team.team_id, CAL, name="cal", is_restricted=True)  # a guest

    answer = submit_settings(
        harness, BOSS, cadence="weekly", weekday="0", time="09:00", timezone="Europe/London",
        channels=[CHANNEL], excluded_users=[EVE], excluded_groups=[SALES],
    )  # fmt: skip

    assert answer["response_action"] == "update", answer
    team.clock.set(MONDAY_0900_LONDON)
    report = tick(team.deps)
    assert [o.period for o in report.rounds.started] == ["2026-W50"]
    # Fay is not in #design, Eve is left out, Dev is in @sales, Cal is a guest.
    assert groups_of_latest_round(team) == {frozenset({ANA, BEN})}
    told = {u for m in team.outbox() for u in (m.target_users or "").split(",") if u}
    assert told == {ANA, BEN}  # the others are not in the round at all: no "no partner" DM
    # The Slack calls happened, none of them while the round's transaction was open.
    assert sim.calls_to("conversations.members") and sim.calls_to("usergroups.users.list")


def test_guests_take_part_when_an_admin_lets_them_in(harness: Harness, team: Team) -> None:
    six(team)
    for user in (ANA, BEN, CAL, DEV, EVE, FAY):
        team.sim.add_user(team.team_id, user, name=user.lower(), is_restricted=user != ANA)
    assert (
        submit_settings(
            harness, BOSS, cadence="weekly", weekday="0", time="09:00", timezone="Europe/London"
        )["response_action"]
        == "update"
    )
    team.clock.set(MONDAY_0900_LONDON)
    tick(team.deps)
    assert groups_of_latest_round(team) == set()  # only Ana is not a guest: nobody to pair

    answer = submit_settings(
        harness,
        BOSS,
        cadence="weekly",
        weekday="0",
        time="09:00",
        timezone="Europe/London",
        guests=True,
    )
    assert answer["response_action"] == "update", answer
    team.clock.set(NEXT_MONDAY_0900)
    report = tick(team.deps)
    assert [o.period for o in report.rounds.started] == ["2026-W51"], report
    paired = set().union(*groups_of_latest_round(team))
    assert paired == {ANA, BEN, CAL, DEV, EVE, FAY}


def test_a_channel_the_app_cannot_read_is_refused_and_nothing_changes(
    harness: Harness, team: Team
) -> None:
    six(team, settings_confirmed_at=None)
    team.sim.add_channel(
        team.team_id, PRIVATE, name="secret", members=[ANA, BEN], is_private=True,
        app_is_member=False,
    )  # fmt: skip

    answer = submit_settings(harness, BOSS, channels=[PRIVATE], cadence="biweekly")

    assert answer["response_action"] == "errors"
    assert "invite @SkillSwap" in answer["errors"][AdminField.CHANNELS]
    ws = workspace_row(team)
    assert ws.participation_channels == [] and ws.cadence.value == "weekly"
    assert ws.settings_confirmed_at is None  # not confirmed by a refused form either


def test_a_channel_lost_after_saving_stops_the_round_and_tells_the_admins_once(
    harness: Harness, team: Team
) -> None:
    six(team)
    team.sim.add_channel(team.team_id, CHANNEL, name="design", members=[ANA, BEN, CAL])
    submit_settings(
        harness, BOSS, cadence="weekly", weekday="0", time="09:00", timezone="Europe/London",
        channels=[CHANNEL], admins=[BEN],
    )  # fmt: skip
    # Someone makes the channel private and removes @SkillSwap.
    team.sim.add_channel(
        team.team_id, CHANNEL, name="design", members=[ANA, BEN, CAL], is_private=True,
        app_is_member=False,
    )  # fmt: skip
    team.clock.set(MONDAY_0900_LONDON)
    assert tick(team.deps).rounds.errors == [team.team_id]
    team.clock.set(MONDAY_0900_LONDON + timedelta(minutes=1))
    tick(team.deps)  # tried again: still no round, and no second DM
    assert rounds(team) == []
    [dm] = team.sim.messages(team.sim.dm_channel_id(team.team_id, BEN))
    assert "This round couldn't start" in dm["text"] and "channel_not_found" in dm["text"]

    team.sim.add_channel(team.team_id, CHANNEL, name="design", members=[ANA, BEN, CAL])
    team.clock.set(MONDAY_0900_LONDON + timedelta(hours=1))
    assert [o.period for o in tick(team.deps).rounds.started] == ["2026-W50"]


def test_an_archived_channel_is_refused(harness: Harness, team: Team) -> None:
    six(team)
    team.sim.add_channel(team.team_id, CHANNEL, name="old", members=[ANA, BEN], is_archived=True)
    answer = submit_settings(harness, BOSS, channels=[CHANNEL])
    assert answer["response_action"] == "errors"
    assert "is archived" in answer["errors"][AdminField.CHANNELS]
    assert workspace_row(team).participation_channels == []


def test_an_admin_cannot_be_left_out(harness: Harness, team: Team) -> None:
    six(team)
    team.sim.add_user(team.team_id, FAY, name="fay", is_admin=True)  # a Slack admin
    for excluded in ([BEN], [FAY]):  # BEN is made an admin in the same form
        answer = submit_settings(harness, BOSS, admins=[BEN], excluded_users=[ANA, *excluded])
        assert answer["response_action"] == "errors"
        message = answer["errors"][AdminField.EXCLUDED_USERS]
        assert f"<@{excluded[0]}> is a SkillSwap admin" in message
    assert workspace_row(team).excluded_user_ids == []


def test_leaving_everyone_out_is_refused(harness: Harness, team: Team) -> None:
    six(team)
    team.sim.add_usergroup(team.team_id, SALES, handle="everyone-else", users=[CAL, DEV, EVE, FAY])
    answer = submit_settings(
        harness, BOSS, admins=[], excluded_users=[ANA, BEN], excluded_groups=[SALES]
    )
    assert answer["response_action"] == "errors"
    assert "leaves nobody to pair" in answer["errors"][AdminField.EXCLUDED_USERS]
    ws = workspace_row(team)
    assert (ws.excluded_user_ids, ws.excluded_usergroup_ids) == ([], [])


def test_the_settings_list_user_groups_and_show_what_is_saved(harness: Harness, team: Team) -> None:
    six(team)
    team.sim.add_usergroup(team.team_id, SALES, handle="sales", users=[DEV])
    submit_settings(harness, BOSS, excluded_groups=[SALES], excluded_users=[EVE], guests=True)
    harness.send_command(BOSS, "admin")
    [opened] = team.sim.wait_for("views.open")
    blocks = {b.get("block_id"): b for b in opened.params["view"]["blocks"]}
    groups = blocks[AdminField.EXCLUDED_GROUPS]["element"]
    assert [o["text"]["text"] for o in groups["options"]] == ["@sales"]
    assert [o["value"] for o in groups["initial_options"]] == [SALES]
    assert blocks[AdminField.EXCLUDED_USERS]["element"]["initial_users"] == [EVE]
    assert blocks[AdminField.GUESTS]["element"]["initial_options"][0]["value"] == "include"


# --------------------------------------------------------------------------- when


def test_the_first_round_waits_until_an_admin_confirms_the_settings(
    harness: Harness, team: Team
) -> None:
    six(team, settings_confirmed_at=None)
    team.clock.set(MONDAY_0900_LONDON)
    assert tick(team.deps).rounds.started == []
    assert rounds(team) == [] and team.sim.calls_to("chat.postMessage") == []

    harness.send_command(BOSS, "admin")
    [opened] = team.sim.wait_for("views.open")
    assert "the first round starts only after an admin has saved them once" in str(
        opened.params["view"]["blocks"]
    )
    submit_settings(
        harness, BOSS, cadence="weekly", weekday="0", time="09:00", timezone="Europe/London"
    )
    assert workspace_row(team).settings_confirmed_at is not None
    team.clock.set(MONDAY_0900_LONDON + timedelta(minutes=5))
    assert [o.period for o in tick(team.deps).rounds.started] == ["2026-W50"]


def test_the_time_zone_is_chosen_from_a_list_and_starts_at_the_admins_own(
    harness: Harness, team: Team
) -> None:
    six(team, settings_confirmed_at=None, timezone="UTC")
    team.sim.add_user(team.team_id, BOSS, name="boss", is_admin=True, tz="Asia/Kolkata")
    harness.send_command(BOSS, "admin")
    [opened] = team.sim.wait_for("views.open")
    assert opened.ok
    [zone] = [
        b for b in opened.params["view"]["blocks"] if b.get("block_id") == AdminField.TIMEZONE
    ]
    element = zone["element"]
    assert element["type"] == "static_select" and "options" not in element
    regions = [g["label"]["text"] for g in element["option_groups"]]
    assert {"Europe", "Asia", "America (A\u2013M)", "America (M\u2013Y)", "Other"} <= set(regions)
    assert all(len(g["options"]) <= 100 for g in element["option_groups"])
    assert element["initial_option"]["value"] == "Asia/Kolkata"
    assert "From your Slack profile" in zone["hint"]["text"]

    # Once confirmed, the saved zone is shown, whatever the admin's own.
    submit_settings(harness, BOSS, timezone="America/Argentina/Buenos_Aires")
    harness.send_command(BOSS, "admin")
    opened = team.sim.wait_for("views.open", count=2)[-1]
    [zone] = [
        b for b in opened.params["view"]["blocks"] if b.get("block_id") == AdminField.TIMEZONE
    ]
    assert zone["element"]["initial_option"] == {
        "text": {"type": "plain_text", "text": "Argentina/Buenos Aires", "emoji": True},
        "value": "America/Argentina/Buenos_Aires",
    }


def test_skip_next_round_and_undo(harness: Harness, team: Team) -> None:
    six(team)
    assert "Only SkillSwap admins" in harness.command(ANA, "skip-round")["text"]
    said = harness.command(BOSS, "skip-round")["text"]
    assert "The round in the week of 7 Dec is skipped" in said
    assert "already skipped" in harness.command(BOSS, "skip-round")["text"]
    harness.send_command(BOSS, "admin")
    [opened] = team.sim.wait_for("views.open")
    assert "Monday 14 December at 09:00 (Europe/London); Monday 7 December is skipped" in str(
        opened.params["view"]["blocks"]
    )
    team.clock.set(MONDAY_0900_LONDON)
    assert tick(team.deps).rounds.started == []
    assert rounds(team) == []
    # The week after runs as usual.
    team.clock.set(NEXT_MONDAY_0900)
    assert [o.period for o in tick(team.deps).rounds.started] == ["2026-W51"]

    assert "No round is skipped" in harness.command(BOSS, "skip-round undo")["text"]  # W50 is past
    assert "Use `/skillswap skip-round`" in harness.command(BOSS, "skip-round please")["text"]


def test_a_skipped_round_can_be_put_back_on(harness: Harness, team: Team) -> None:
    six(team)
    harness.command(BOSS, "skip-round")["text"]
    assert "is back on" in harness.command(BOSS, "skip-round undo")["text"]
    team.clock.set(MONDAY_0900_LONDON)
    assert [o.period for o in tick(team.deps).rounds.started] == ["2026-W50"]


def _preview_dms(team: Team) -> list[dict[str, Any]]:
    tick(team.deps)  # delivers the outbox; no round is due before 09:00
    return team.sim.messages(team.sim.dm_channel_id(team.team_id, BOSS))


def _groups_in(message: dict[str, Any]) -> set[frozenset[str]]:
    lines = [line for line in shown_text(message).splitlines() if line.startswith("\u2022")]
    return {frozenset(re.findall(r"<@(\w+)>", line)) for line in lines}


def test_preview_then_one_reroll_and_the_round_uses_the_previewed_groups(
    harness: Harness, team: Team
) -> None:
    six(team)
    assert "Only SkillSwap admins" in harness.command(ANA, "preview")["text"]
    said = harness.command(BOSS, "preview")["text"]
    assert "groups for the week of 7 Dec are on their way to your DM" in said
    [first] = _preview_dms(team)
    assert "Nobody has been told anything yet" in shown_text(first)
    assert len(_groups_in(first)) == 3
    # Nobody but the admin heard anything.
    assert {m.kind for m in team.outbox()} == {"preview"}

    said = harness.click(BOSS, AdminAction.PREVIEW_REROLL, message=first).reply()["text"]
    assert "Re-rolled" in said
    first, second = _preview_dms(team)
    assert "Re-roll once" not in str(second["blocks"])  # once only

    again = harness.click(BOSS, AdminAction.PREVIEW_REROLL, message=first)  # the old button
    said = again.reply()["text"]
    harness.drain()
    assert "already re-rolled this round's groups once" in said
    assert len(_preview_dms(team)) == 2  # no third preview

    team.clock.set(MONDAY_0900_LONDON)
    tick(team.deps)
    assert groups_of_latest_round(team) == _groups_in(second)
    with team.deps.unit_of_work() as session:
        [seed] = session.scalars(select(Round.seed)).all()
    assert seed == reroll_seed(team.team_id, "2026-W50")


def test_a_member_cannot_reroll_with_a_forged_click(harness: Harness, team: Team) -> None:
    six(team)
    harness.command(BOSS, "preview")["text"]
    [first] = _preview_dms(team)
    forged = harness.click(ANA, AdminAction.PREVIEW_REROLL, message=first)
    harness.drain()
    [answer] = forged.replies()
    assert "Only SkillSwap admins" in answer["text"]
    assert len(_preview_dms(team)) == 1
    assert workspace_row(team).preview_rerolled is False
