"""``/skillswap admin``: the round settings modal, for admins only."""

from __future__ import annotations

from bot.blocks.admin import AdminCallback
from bot.rounds.service import run_due_rounds
from bot.store.models import Cadence
from tests.rounds.rounds_kit import (
    ANA,
    BEN,
    BOSS,
    Team,
    pair_world,
    submit_settings,
    workspace_row,
)
from tests.support import Harness


def test_only_admins_can_open_the_settings(harness: Harness, team: Team) -> None:
    team.workspace()
    team.sim.add_user(team.team_id, ANA, name="ana")
    sent = harness.send_command(ANA, "admin")
    harness.drain()
    [reply] = sent.replies()
    assert "Only SkillSwap admins" in reply["text"]
    assert team.sim.calls_to("views.open") == []


def test_a_slack_admin_sees_the_current_settings_and_the_next_round(
    harness: Harness, team: Team
) -> None:
    team.workspace()
    team.sim.add_user(team.team_id, BOSS, name="boss", is_admin=True)
    harness.send_command(BOSS, "admin")
    [opened] = team.sim.wait_for("views.open")
    assert opened.ok
    view = opened.params["view"]
    assert view["callback_id"] == AdminCallback.SETTINGS
    shown = str(view["blocks"])
    assert "Monday 7 December at 09:00 (Europe/London)" in shown  # the clock: Mon 08:00
    assert "'initial_time': '09:00'" in shown and "Europe/London" in shown
    assert "Discovery swaps" in shown and "initial_options" in shown  # on by default


def test_discovery_swaps_can_be_turned_off_and_on(harness: Harness, team: Team) -> None:
    pair_world(team)
    team.sim.add_user(team.team_id, BOSS, name="boss", is_owner=True)
    submit_settings(harness, BOSS, discovery=[])  # the box unticked
    assert workspace_row(team).discovery_swaps is False
    submit_settings(harness, BOSS)  # a form without the field keeps what is set
    assert workspace_row(team).discovery_swaps is False
    submit_settings(harness, BOSS, discovery=[{"value": "on"}])
    assert workspace_row(team).discovery_swaps is True


def test_saving_changes_when_rounds_run(harness: Harness, team: Team) -> None:
    pair_world(team)
    team.sim.add_user(team.team_id, BOSS, name="boss", is_owner=True)

    answer = submit_settings(harness, BOSS)

    assert answer["response_action"] == "update"
    assert "every other Wednesday at 10:30 (America/New_York)" in str(answer["view"])
    ws = workspace_row(team)
    assert (ws.cadence, ws.round_weekday, ws.round_time, ws.timezone) == (
        Cadence.BIWEEKLY,
        2,
        "10:30",
        "America/New_York",
    )
    assert (ws.checkin_delay_days, ws.cooldown_rounds, ws.home_channel) == (4, 6, "C0ANNOUNCE")
    assert ws.admin_user_ids == [BEN]
    # Wednesday 9 Dec 10:30 in New York is 15:30 UTC.
    monday = team.clock.now()
    assert run_due_rounds(team.deps, monday.replace(day=9, hour=15, minute=29)).started == []
    started = run_due_rounds(team.deps, monday.replace(day=9, hour=15, minute=30)).started
    assert [o.period for o in started] == ["2026-W50"]


def test_added_admins_can_open_the_settings_too(harness: Harness, team: Team) -> None:
    pair_world(team)
    team.sim.add_user(team.team_id, BOSS, name="boss", is_admin=True)
    submit_settings(harness, BOSS, admins=[BEN])
    harness.send_command(BEN, "admin")
    [opened] = team.sim.wait_for("views.open")
    assert opened.ok


def test_bad_values_are_sent_back_with_what_to_fix(harness: Harness, team: Team) -> None:
    team.workspace()
    team.sim.add_user(team.team_id, BOSS, name="boss", is_admin=True)

    answer = submit_settings(harness, BOSS, timezone="London", cadence="weekly", checkin_delay="9")

    assert answer["response_action"] == "errors"
    assert "Pick a time zone from the list" in answer["errors"]["timezone"]
    assert "from 1 to 6" in answer["errors"]["checkin_delay"]
    assert workspace_row(team).timezone == "Europe/London"


def test_a_non_admin_cannot_save_even_with_the_form(harness: Harness, team: Team) -> None:
    team.workspace()
    team.sim.add_user(team.team_id, ANA, name="ana")
    answer = submit_settings(harness, ANA)
    assert answer["response_action"] == "errors"
    assert "Only SkillSwap admins" in str(answer["errors"])
    assert workspace_row(team).cadence is Cadence.WEEKLY
