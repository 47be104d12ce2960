"""End to end: members join with slash commands, the clock runs the round, people click."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.blocks.checkins import CheckinAction, FeedbackCallback
from bot.blocks.rounds import IntroAction
from bot.scheduler import tick
from bot.store.models import (
    Feedback,
    Group,
    GroupState,
    Member,
    OutboxState,
    Round,
    RoundState,
)
from tests.rounds.rounds_kit import ANA, BEN, CAL, Team
from tests.support import Harness, shown_text

MONDAY_0900_LONDON = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_members_join_the_clock_pairs_them_they_meet_and_say_how_it_went(
    harness: Harness, team: Team
) -> None:
    team.workspace(discovery_swaps=False)  # Cal, who wants what nobody teaches, sits out
    sim = harness.sim
    sim.add_user(team.team_id, ANA, name="ana", real_name="Ana Alvarez", tz="Europe/Madrid")
    sim.add_user(team.team_id, BEN, name="ben", real_name="Ben Brown", tz="Europe/London")
    sim.add_user(team.team_id, CAL, name="cal", real_name="Cal Chen", tz="America/New_York")
    harness.command(ANA, "teach Spanish")
    harness.command(ANA, "learn SQL")
    harness.command(BEN, "teach SQL")
    harness.command(BEN, "learn Spanish")
    harness.command(CAL, "learn Kubernetes")
    with team.deps.unit_of_work() as session:
        assert len(session.scalars(select(Member)).all()) == 3

    # Sunday: nothing happens. Monday 09:00 London: the clock starts and delivers the round.
    team.clock.set(MONDAY_0900_LONDON - timedelta(days=1))
    assert tick(team.deps).rounds.started == []
    team.clock.set(MONDAY_0900_LONDON)
    report = tick(team.deps)
    assert [o.period for o in report.rounds.started] == ["2026-W50"]
    # The pair is at work; Cal's "no partner" DM waits for 09:00 in New York (04:00 now).
    assert report.delivery is not None and report.delivery.sent == 1
    assert sim.messages(sim.dm_channel_id(team.team_id, CAL)) == []

    pair_dm = sim.dm_channel_id(team.team_id, ANA, BEN)
    [intro] = sim.messages(pair_dm)
    intro_text = shown_text(intro)
    assert f"<@{ANA}> and <@{BEN}>, you're this week's skill swap!" in intro_text
    assert "can teach *Spanish*" in intro_text and "can teach *SQL*" in intro_text
    assert "You've never been paired before." in intro_text
    assert "First session idea: 30 minutes, 15 each way." in intro_text
    assert "10:00 is" in intro_text and "09:00 (<!date^" in intro_text  # Madrid vs London
    team.clock.set(MONDAY_0900_LONDON + timedelta(hours=5))
    later = tick(team.deps)  # 09:00 in New York
    assert later.delivery is not None and later.delivery.sent == 1
    [alone] = sim.messages(sim.dm_channel_id(team.team_id, CAL))
    assert "Kubernetes" in shown_text(alone) and "priority next round" in shown_text(alone)

    harness.click(ANA, IntroAction.SCHEDULED, message=intro)
    sim.wait_for("chat.update")

    # Thursday 09:00: "Did you meet?"; Ben says yes and leaves feedback.
    team.clock.set(MONDAY_0900_LONDON + timedelta(days=3))
    assert tick(team.deps).checkins.checkins == 1
    checkin = sim.messages(pair_dm)[1]
    harness.click(BEN, CheckinAction.MET, message=checkin)
    [opened] = sim.wait_for("views.open")
    feedback = harness.submit(
        BEN,
        FeedbackCallback.FEEDBACK,
        {
            "rating": {"value": {"type": "static_select", "selected_option": {"value": "5"}}},
            "learned": {"value": {"type": "plain_text_input", "value": "Ordering tapas"}},
            "taught": {"value": {"type": "plain_text_input", "value": "JOINs"}},
            "again": {"value": {"type": "radio_buttons", "selected_option": {"value": "yes"}}},
        },
        private_metadata=opened.params["view"]["private_metadata"],
    )
    assert feedback.get("response_action") == "update"

    # Friday: no reminder for a group that answered. Next Monday: round 1 closes, round 2 starts.
    team.clock.set(MONDAY_0900_LONDON + timedelta(days=4))
    assert tick(team.deps).checkins.reminders == 0
    team.clock.set(MONDAY_0900_LONDON + timedelta(weeks=1))
    tick(team.deps)

    with team.deps.unit_of_work() as session:
        first, second = session.scalars(select(Round).order_by(Round.id)).all()
        group = session.scalars(select(Group).where(Group.round_id == first.id)).one()
        stored = session.scalars(select(Feedback)).one()
        members = {m.slack_user_id: m for m in session.scalars(select(Member))}
        assert (first.state, second.period) == (RoundState.CLOSED, "2026-W51")
        assert group.state is GroupState.MET and group.new_connection
        assert (stored.rating, stored.learned, stored.taught, stored.would_swap_again) == (
            5,
            "Ordering tapas",
            "JOINs",
            True,
        )
        assert stored.member_id == members[BEN].id
        # They met (Ben said so for the pair): no missed check-in for either of them.
        assert (members[ANA].unanswered_checkins, members[BEN].unanswered_checkins) == (0, 0)
        assert members[CAL].unmatched_streak >= 1
    assert all(m.state is OutboxState.SENT for m in team.outbox())
