"""The Home tab's teach/learn line: lessons counted from groups that met, in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.blocks.checkins import CheckinAction
from bot.blocks.members import balance_text
from bot.scheduler import tick
from tests.rounds.rounds_kit import ANA, BEN, CAL, Team, pair_world
from tests.support import Harness, shown_text

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
CHECKINS = timedelta(days=3)


def at(team: Team, moment: datetime) -> None:
    team.clock.set(moment)
    tick(team.deps)


def home_text(harness: Harness, user: str) -> str:
    before = len(harness.sim.calls_to("views.publish"))
    harness.event({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"})
    call = harness.sim.wait_for("views.publish", count=before + 1)[-1]
    assert call.response["ok"], call.response
    view: dict[str, Any] = call.params["view"]
    return shown_text(view)


def test_home_counts_lessons_from_groups_that_met(harness: Harness, team: Team) -> None:
    pair_world(team, discovery_swaps=False)
    assert "You've taught" not in home_text(harness, ANA)  # no group yet: no line

    at(team, MONDAY)
    at(team, MONDAY + CHECKINS)
    assert "No lessons counted yet" in home_text(harness, ANA)  # introduced, not met

    [_intro, checkin] = harness.dm(ANA, BEN)
    harness.click(BEN, CheckinAction.MET, message=checkin)
    harness.drain()
    assert "You've taught once and learned once." in home_text(harness, ANA)
    assert "You've taught once and learned once." in home_text(harness, BEN)

    # Week 2: Cal wants Spanish; Ana and Ben are in their cooldown, so Ana teaches Cal.
    team.member(CAL, "Cal Cruz", team="Ops", teach=["Juggling"], learn=["Spanish"])
    at(team, MONDAY + WEEK)
    at(team, MONDAY + WEEK + CHECKINS)
    [_intro, checkin] = harness.dm(ANA, CAL)
    assert "No lessons counted yet" in home_text(harness, CAL)
    harness.click(CAL, CheckinAction.MET, message=checkin)
    harness.drain()

    assert "You've taught twice and learned once." in home_text(harness, ANA)
    assert "You've learned once and not taught yet" in home_text(harness, CAL)
    assert "You've taught once and learned once." in home_text(harness, BEN)


@pytest.mark.parametrize(
    ("taught", "learned", "words"),
    [
        (4, 2, "You've taught 4 times and learned twice."),
        (1, 3, "You've taught once and learned 3 times."),
        (2, 0, "You've taught twice and not learned yet"),
        (0, 1, "You've learned once and not taught yet"),
        (0, 0, "No lessons counted yet"),
    ],
)
def test_balance_words(taught: int, learned: int, words: str) -> None:
    assert balance_text(taught, learned).startswith(words)
