"""Auto-pause asks first (issue 17, item 3): three check-ins missed in a row bring "Still up
for swaps?"; only silence after that pauses, with a DM that has Resume; admins see who."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.blocks.checkins import PauseAction
from bot.delivery.outbox import OutboxKind
from bot.scheduler import tick
from bot.store.models import Member, MemberStatus
from tests.rounds.rounds_kit import ANA, BEN, Team, pair_world, would_swap_again
from tests.support import Harness, shown_text

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
BOSS = "U0BOSS009"


def at(team: Team, moment: datetime) -> None:
    team.clock.set(moment)
    tick(team.deps)


def quiet_weeks(team: Team, first: int, last: int) -> None:
    """Rounds ``first``..``last`` (weeks after MONDAY) with check-in and reminder, unanswered."""
    for week in range(first, last + 1):
        start = MONDAY + timedelta(weeks=week)
        at(team, start)
        would_swap_again(team)  # the same pair meets again every week by choice
        at(team, start + timedelta(days=3))
        at(team, start + timedelta(days=4))


def people(team: Team) -> dict[str, Member]:
    with team.deps.unit_of_work() as session:
        return {m.slack_user_id: m for m in session.scalars(select(Member))}


def dms(team: Team, user: str) -> list[dict[str, Any]]:
    return team.sim.messages(team.sim.dm_channel_id(team.team_id, user))


def press(harness: Harness, user: str, message: dict[str, Any], action: PauseAction) -> None:
    reply = harness.slack.block_action(
        team_id=harness.team_id, user_id=user, action_id=action, message=message
    )
    assert reply.status == 200, reply.body


def actions_of(message: dict[str, Any]) -> list[str]:
    return [
        e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]


def test_three_misses_ask_first_and_only_silence_pauses(harness: Harness, team: Team) -> None:
    pair_world(team, cooldown_rounds=0)  # the same pair may meet every week
    quiet_weeks(team, 0, 2)
    at(team, MONDAY + timedelta(weeks=3))  # the third round closes as the fourth begins

    now = people(team)
    assert {u: m.status for u, m in now.items()} == {
        ANA: MemberStatus.ACTIVE,
        BEN: MemberStatus.ACTIVE,
    }
    assert all(m.pause_asked_at is not None for m in now.values())
    [question] = dms(team, BEN)
    assert "Still up for swaps?" in shown_text(question)
    assert actions_of(question) == [PauseAction.KEEP, PauseAction.PAUSE]
    assert len(team.outbox(kind=OutboxKind.STILL_UP)) == 2
    assert team.outbox(kind=OutboxKind.PAUSED) == []

    press(harness, ANA, dms(team, ANA)[0], PauseAction.KEEP)
    [kept] = team.sim.wait_for_response()
    assert kept["replace_original"] is True and "you're in for the next round" in kept["text"]
    assert people(team)[ANA].pause_asked_at is None

    # Week 4 goes by in silence too: Ben, who never answered the question, is paused; Ana,
    # who said "Keep me in", is not (her count of misses started again).
    quiet_weeks(team, 3, 3)
    at(team, MONDAY + timedelta(weeks=4))
    now = people(team)
    assert (now[ANA].status, now[ANA].unanswered_checkins) == (MemberStatus.ACTIVE, 1)
    assert (now[BEN].status, now[BEN].auto_paused) == (MemberStatus.PAUSED, True)
    [_, notice] = dms(team, BEN)
    assert "paused your skill swaps" in shown_text(notice)
    assert actions_of(notice) == [PauseAction.RESUME]

    # Admins see who was paused for going quiet; members do not.
    team.sim.add_user(team.team_id, BOSS, name="boss", is_admin=True)
    for viewer, shown in ((BOSS, True), (ANA, False)):
        before = len(harness.sim.calls_to("views.publish"))
        harness.slack.event(
            team_id=harness.team_id,
            event={"type": "app_home_opened", "user": viewer, "channel": "D0H", "tab": "home"},
        )
        home = harness.sim.wait_for("views.publish", count=before + 1)[-1].params["view"]
        text = str(home["blocks"])
        assert ("Paused after going quiet" in text and f"<@{BEN}>" in text) is shown

    press(harness, BEN, notice, PauseAction.RESUME)
    [_, resumed] = team.sim.wait_for_response(count=2)
    assert "Welcome back" in resumed["text"]
    assert (people(team)[BEN].status, people(team)[BEN].auto_paused) == (
        MemberStatus.ACTIVE,
        False,
    )


def test_pause_for_now_is_the_members_own_pause(harness: Harness, team: Team) -> None:
    pair_world(team, cooldown_rounds=0)
    quiet_weeks(team, 0, 2)
    at(team, MONDAY + timedelta(weeks=3))
    press(harness, BEN, dms(team, BEN)[0], PauseAction.PAUSE)
    [reply] = team.sim.wait_for_response()
    assert "Paused" in reply["text"] and reply["replace_original"] is True
    ben = people(team)[BEN]
    assert (ben.status, ben.paused_until, ben.auto_paused) == (MemberStatus.PAUSED, None, False)
    assert ben.pause_asked_at is None
