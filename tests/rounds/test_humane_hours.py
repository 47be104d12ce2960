"""Messages at a humane hour (issue 19, item 5): the clock process holds each introduction,
"no partner" DM and check-in until its recipients' shared working morning; the CLI's
``round run`` and ``round checkins`` send at once. Signed requests, Slack simulated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.delivery import deliver_pending
from bot.delivery.outbox import OutboxKind
from bot.kinds import OutboxState
from bot.rounds.checkins import process_due
from bot.rounds.service import start_round
from bot.scheduler import tick
from tests.rounds.rounds_kit import ANA, BEN, CAL, DEV, EVE, Team, pair_world

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # the round's slot: 09:00 London
LA_MORNING = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)  # 09:00 in Los Angeles
TOKYO_MORNING = datetime(2026, 12, 8, 0, 0, tzinfo=UTC)  # Tuesday 09:00 in Tokyo


def world(team: Team) -> None:
    """Ana (Madrid) and Ben (London) at work at 09:00 UTC; Cal (Los Angeles) and Dev (New
    York) asleep or not yet at work; Eve (Tokyo) past her working day, with nobody to meet."""
    pair_world(team, discovery_swaps=False)
    team.member(CAL, "Cal", tz="America/Los_Angeles", teach=["Go"], learn=["Rust"])
    team.member(DEV, "Dev", tz="America/New_York", teach=["Rust"], learn=["Go"])
    team.member(EVE, "Eve", tz="Asia/Tokyo", teach=["Calligraphy"], learn=["Origami"])


def posted_to(team: Team, *users: str) -> int:
    return len(team.sim.messages(team.sim.dm_channel_id(team.team_id, *users)))


def at(team: Team, moment: datetime) -> None:
    team.clock.set(moment)
    tick(team.deps)


def test_the_clock_holds_each_introduction_until_its_group_s_working_morning(team: Team) -> None:
    world(team)
    at(team, MONDAY)

    # Madrid and London are at work: their introduction is there at once.
    assert posted_to(team, ANA, BEN) == 1
    # Los Angeles is at 01:00: Cal and Dev's waits for 09:00 there (12:00 in New York).
    assert posted_to(team, CAL, DEV) == 0
    [held] = [m for m in team.outbox(kind=OutboxKind.INTRO) if m.state is OutboxState.PENDING]
    assert held.not_before == LA_MORNING
    # Eve's "no partner" DM waits for Tuesday 09:00 in Tokyo.
    [alone] = team.outbox(kind=OutboxKind.UNMATCHED)
    assert (alone.state, alone.not_before) == (OutboxState.PENDING, TOKYO_MORNING)

    at(team, LA_MORNING - timedelta(minutes=1))
    assert posted_to(team, CAL, DEV) == 0
    at(team, LA_MORNING)
    assert posted_to(team, CAL, DEV) == 1
    assert posted_to(team, EVE) == 0
    at(team, TOKYO_MORNING)
    assert posted_to(team, EVE) == 1


def test_check_ins_wait_for_the_group_s_morning_too(team: Team) -> None:
    world(team)
    at(team, MONDAY)
    at(team, TOKYO_MORNING)  # everything from the round is out
    thursday = MONDAY + timedelta(days=3)  # check-ins are due three days after the round
    at(team, thursday)
    checkins = {m.group_id: m for m in team.outbox(kind=OutboxKind.CHECKIN)}
    assert len(checkins) == 2
    assert {(m.state, m.not_before) for m in checkins.values()} == {
        (OutboxState.SENT, None),  # Ana and Ben: Thursday 09:00 London
        (OutboxState.PENDING, LA_MORNING + timedelta(days=3)),  # Cal and Dev: 09:00 LA
    }
    at(team, LA_MORNING + timedelta(days=3))
    assert all(m.state is OutboxState.SENT for m in team.outbox(kind=OutboxKind.CHECKIN))


def test_the_cli_sends_at_once_and_a_drain_does_not_wait_for_held_messages(team: Team) -> None:
    world(team)
    team.clock.set(MONDAY)
    # `skillswap round run`: an operator asked for it now.
    start_round(team.deps, team.team_id, now=MONDAY)
    deliver_pending(team.deps, until_idle=True)
    assert posted_to(team, CAL, DEV) == 1 and posted_to(team, EVE) == 1
    assert all(m.not_before is None for m in team.outbox())

    # Check-ins queued by the clock are held; a worker running until idle (the CLI's
    # delivery, the tests' drains) leaves them to the clock instead of waiting hours.
    thursday = MONDAY + timedelta(days=3)
    team.clock.set(thursday)
    process_due(team.deps, thursday, humane=True)
    report = deliver_pending(team.deps, until_idle=True)
    assert report.delivered == 1  # Ana and Ben's
    assert team.clock.now() == thursday  # the driven clock was not moved to the morning
    assert team.unfinished() == 1
    # `skillswap round checkins` would have sent both at once.
    process_due(team.deps, thursday + timedelta(days=3))  # reminders: nobody answered
    reminders = team.outbox(kind=OutboxKind.REMINDER)
    assert reminders and all(m.not_before is None for m in reminders)
