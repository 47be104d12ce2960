"""Meet again (issue 15, item 3): after "We met", a group picks a nudge in 1, 2 or 4 weeks;
the clock posts it in the group DM with [We met again] [Stop these]. Driven through signed
requests and the clock (no sleeps)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.blocks.checkins import CheckinAction
from bot.blocks.meet_again import MeetAgainAction
from bot.delivery.outbox import OutboxKind
from bot.insights.load import load_insights
from bot.kinds import MeetAgainState, OutboxState
from bot.rounds import meet_again
from bot.rounds.service import dry_run
from bot.scheduler import tick
from bot.store.models import Group, MeetAgain, OutboxMessage
from tests.rounds.rounds_kit import ANA, BEN, CAL, Team, pair_world
from tests.rounds.test_home_balance import home_text
from tests.support import Harness, buttons, payload_json, shown_text

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
THURSDAY = MONDAY + timedelta(days=3)
WEEK = timedelta(weeks=1)


def at(team: Team, moment: datetime) -> None:
    team.clock.set(moment)
    tick(team.deps)


def met(harness: Harness, team: Team) -> dict[str, Any]:
    """Ana and Ben's round, its check-in, and Ana's "We met": the check-in as shown now."""
    pair_world(team, discovery_swaps=False)
    at(team, MONDAY)
    at(team, THURSDAY)
    [_intro, checkin] = harness.dm(ANA, BEN)
    assert "meet_again_2" not in buttons(checkin)  # offered only once they met
    harness.click(ANA, CheckinAction.MET, message=checkin)
    harness.drain()
    return harness.latest(checkin)


def row(team: Team) -> MeetAgain | None:
    with team.deps.unit_of_work() as session:
        return session.scalars(select(MeetAgain)).one_or_none()


def nudges(harness: Harness) -> list[dict[str, Any]]:
    return [m for m in harness.dm(ANA, BEN) if "time to meet again" in shown_text(m)]


def test_we_met_offers_meet_again_and_the_nudge_comes_when_due(
    harness: Harness, team: Team
) -> None:
    checkin = met(harness, team)
    assert "Meet again?" in shown_text(checkin)
    offered = [a for a in buttons(checkin) if a.startswith("meet_again_")]
    assert offered == ["meet_again_1", "meet_again_2", "meet_again_4"]

    harness.click(BEN, MeetAgainAction.IN_2, message=checkin)
    harness.drain()
    shown = harness.latest(checkin)
    assert "I'll nudge you here every 2 weeks" in shown_text(shown)
    assert f"<@{ANA}>: met" in shown_text(shown)  # the rest of the check-in stays
    assert list(buttons(shown))[-1] == "meet_again_stop"

    at(team, THURSDAY + 2 * WEEK - timedelta(minutes=1))
    assert nudges(harness) == []
    at(team, THURSDAY + 2 * WEEK)
    [nudge] = nudges(harness)
    assert f"<@{ANA}> and <@{BEN}>, it's been 2 weeks" in shown_text(nudge)
    assert "skill swap (Spanish ↔ SQL)" in shown_text(nudge)
    assert [a for a in buttons(nudge)] == ["meet_again_met", "meet_again_stop"]
    # It takes no round slot: rounds ran in between, and the pair is still one group.
    with team.deps.unit_of_work() as session:
        assert session.scalar(select(func.count(Group.id))) == 1

    # No second nudge until someone says they met again.
    at(team, THURSDAY + 5 * WEEK)
    assert len(nudges(harness)) == 1


def test_we_met_again_counts_once_and_brings_the_next_nudge(harness: Harness, team: Team) -> None:
    checkin = met(harness, team)
    harness.click(ANA, MeetAgainAction.IN_1, message=checkin)
    harness.drain()
    at(team, THURSDAY + WEEK)
    [nudge] = nudges(harness)

    harness.click(BEN, MeetAgainAction.MET, message=nudge)
    harness.click(BEN, MeetAgainAction.MET, message=nudge)  # a double click
    harness.click(ANA, MeetAgainAction.MET, message=nudge)  # and the other member
    harness.drain()
    found = row(team)
    assert found is not None and found.met_again == 1
    assert f"<@{BEN}>: met again" in shown_text(harness.latest(nudge))

    at(team, THURSDAY + 2 * WEEK)
    assert len(nudges(harness)) == 2
    second = nudges(harness)[1]
    assert "it's been a week" in shown_text(second)
    harness.click(ANA, MeetAgainAction.MET, message=second)
    harness.drain()
    found = row(team)
    assert found is not None and found.met_again == 2

    # The numbers: a tie that lasts, met again twice by choice.
    stats = shown_text(harness.send_command(CAL, "stats").reply("Meeting rate")["blocks"])
    assert "*Repeat swaps*\n1 (met again twice by choice)" in stats


def test_any_member_may_stop_and_nobody_else(harness: Harness, team: Team) -> None:
    checkin = met(harness, team)
    harness.click(ANA, MeetAgainAction.IN_1, message=checkin)
    harness.drain()
    team.member(CAL, "Cal Chen", team="Ops", teach=["Knitting"], learn=["Origami"])

    refused = harness.click(CAL, MeetAgainAction.STOP, message=harness.latest(checkin))
    assert "belong to the people in this swap" in shown_text(refused.reply())
    found = row(team)
    assert found is not None and found.state is MeetAgainState.ACTIVE

    stopped = harness.click(BEN, MeetAgainAction.STOP, message=harness.latest(checkin))
    assert "Stopped" in shown_text(stopped.reply())
    harness.drain()
    assert f"stopped by <@{BEN}>" in shown_text(harness.latest(checkin))
    found = row(team)
    assert found is not None and found.state is MeetAgainState.STOPPED

    at(team, THURSDAY + 3 * WEEK)
    assert nudges(harness) == []


def test_stop_on_a_nudge_ends_them(harness: Harness, team: Team) -> None:
    checkin = met(harness, team)
    harness.click(ANA, MeetAgainAction.IN_1, message=checkin)
    at(team, THURSDAY + WEEK)
    [nudge] = nudges(harness)
    harness.click(ANA, MeetAgainAction.STOP, message=nudge).reply("Stopped")
    harness.drain()
    assert f"stopped by <@{ANA}>" in shown_text(harness.latest(nudge))
    harness.click(BEN, MeetAgainAction.MET, message=nudge)  # too late: nothing counted
    harness.drain()
    found = row(team)
    assert found is not None and (found.state, found.met_again) == (MeetAgainState.STOPPED, 0)


def test_a_paused_member_stops_the_nudges(harness: Harness, team: Team) -> None:
    checkin = met(harness, team)
    harness.click(ANA, MeetAgainAction.IN_1, message=checkin)
    harness.drain()
    harness.command(BEN, "pause")

    at(team, THURSDAY + WEEK)
    assert nudges(harness) == []
    found = row(team)
    assert found is not None and found.state is MeetAgainState.STOPPED


def test_leaving_deletes_the_groups_meet_again(harness: Harness, team: Team) -> None:
    checkin = met(harness, team)
    harness.click(ANA, MeetAgainAction.IN_1, message=checkin)
    harness.drain()
    assert row(team) is not None

    confirm = harness.command(BEN, "leave")
    harness.click(BEN, buttons(confirm)["member_leave_confirm"]).reply()

    assert row(team) is None
    at(team, THURSDAY + WEEK)
    assert nudges(harness) == []


def test_a_double_choice_is_one_and_a_second_choice_changes_the_interval(
    harness: Harness, team: Team
) -> None:
    checkin = met(harness, team)
    harness.click(ANA, MeetAgainAction.IN_4, message=checkin)
    harness.click(ANA, MeetAgainAction.IN_4, message=checkin)
    harness.drain()
    with team.deps.unit_of_work() as session:
        assert session.scalar(select(func.count(MeetAgain.id))) == 1
    harness.click(BEN, MeetAgainAction.IN_1, message=checkin)
    harness.drain()
    found = row(team)
    assert found is not None and found.weeks == 1
    assert "every week" in shown_text(harness.latest(checkin))


def test_two_clocks_at_once_queue_one_nudge(harness: Harness, team: Team) -> None:
    checkin = met(harness, team)
    harness.click(ANA, MeetAgainAction.IN_1, message=checkin)
    harness.drain()
    due = THURSDAY + WEEK
    assert meet_again.process_due(team.deps, due) == 1
    assert meet_again.process_due(team.deps, due) == 0
    with team.deps.unit_of_work() as session:
        kinds = session.scalars(
            select(OutboxMessage.kind).where(OutboxMessage.kind == OutboxKind.MEET_AGAIN.value)
        ).all()
    assert len(kinds) == 1


def test_meet_again_needs_the_group_to_have_met_and_a_sane_button(
    harness: Harness, team: Team
) -> None:
    pair_world(team, discovery_swaps=False)
    at(team, MONDAY)
    at(team, THURSDAY)
    [_intro, checkin] = harness.dm(ANA, BEN)
    with team.deps.unit_of_work() as session:
        group_id = session.scalars(select(Group.id)).one()

    early = harness.click(
        ANA, {"action_id": "meet_again_1"}, message=checkin, value=f'{{"group": {group_id}}}'
    )
    assert "once one of you clicks *We met*" in shown_text(early.reply())
    forged = harness.click(
        ANA, {"action_id": "meet_again_1"}, message=checkin, value="'; DROP TABLE groups; --"
    )
    assert "button" in shown_text(forged.reply()).lower()
    huge = harness.click(
        ANA,
        {"action_id": "meet_again_stop"},
        message=checkin,
        value='{"group": 1' + "9" * 400 + "}",
    )
    assert "button" in shown_text(huge.reply()).lower()  # out of date, not "went wrong"
    harness.drain()
    assert row(team) is None
    assert "meet_again" not in payload_json(harness.latest(checkin))


def test_meeting_again_counts_its_lessons_in_home_the_engine_and_the_stats(
    harness: Harness, team: Team
) -> None:
    """Ana and Ben swap Spanish and SQL, then meet again once by choice: each has taught twice
    and learned twice, wherever it is counted."""
    checkin = met(harness, team)
    harness.click(ANA, MeetAgainAction.IN_1, message=checkin)
    at(team, THURSDAY + WEEK)
    [nudge] = nudges(harness)
    harness.click(BEN, MeetAgainAction.MET, message=nudge)
    harness.drain()

    assert "You've taught twice and learned twice." in home_text(harness, ANA)
    assert "You've taught twice and learned twice." in home_text(harness, BEN)
    planned = dry_run(team.deps, team.team_id, now=team.clock.now())
    given = {m.id: (m.taught, m.learned) for m in planned.inp.members}
    assert given[ANA] == given[BEN] == (2, 2)
    with team.deps.unit_of_work() as session:
        insights = load_insights(session=session, team_id=team.team_id, now=team.clock.now())
    assert {s.name: s.taught for s in insights.skills if s.taught} == {"Spanish": 2, "SQL": 2}


def test_a_nudge_queued_before_stop_is_not_sent(harness: Harness, team: Team) -> None:
    checkin = met(harness, team)
    harness.click(ANA, MeetAgainAction.IN_1, message=checkin)
    harness.drain()
    # The clock queues the nudge for the group's working morning; Ben stops them before it
    # goes out.
    assert meet_again.process_due(team.deps, THURSDAY + WEEK, humane=True) == 1
    harness.click(BEN, MeetAgainAction.STOP, message=harness.latest(checkin)).reply("Stopped")
    at(team, THURSDAY + WEEK + timedelta(days=1))
    harness.drain()
    assert nudges(harness) == []
    with team.deps.unit_of_work() as session:
        [(state, error)] = session.execute(
            select(OutboxMessage.state, OutboxMessage.last_error).where(
                OutboxMessage.kind == OutboxKind.MEET_AGAIN.value
            )
        ).all()
    assert (state, error) == (OutboxState.FAILED, meet_again.STOPPED)
